/**
 * Route-template parsing and trie construction for the router (see router.ts).
 * Everything here runs once, at construction; router.ts holds the lookup.
 */

/** A bad route definition; `index` is the route's position in the list. */
export class RouteSyntaxError extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.name = 'RouteSyntaxError';
    this.index = index;
  }
}

export type Segment =
  | { kind: 'static'; value: string }
  | { kind: 'regex'; name: string; source: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard' };

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*/;

/**
 * Parses a template into segments. `/` has no segments; a trailing slash is an
 * empty final static segment (`/a/` is `['a', '']`). Throws an Error whose
 * message explains the problem.
 */
export function parseTemplate(template: string): Segment[] {
  if (typeof template !== 'string' || template.charCodeAt(0) !== 47) {
    throw new Error(`route template ${JSON.stringify(template)} must start with "/"`);
  }
  const bad = (why: string): Error => new Error(`route template ${JSON.stringify(template)}: ${why}`);
  const segments: Segment[] = [];
  const names = new Set<string>();
  const len = template.length;
  let i = 1;
  while (i < len) {
    let end: number;
    const c = template[i];
    if (c === ':' && template[i + 1] !== ':') {
      const name = NAME.exec(template.slice(i + 1))?.[0];
      if (name === undefined) throw bad(`a parameter needs a name after ":" (at ${i})`);
      if (name === '__proto__') throw bad('"__proto__" is not a usable parameter name');
      if (names.has(name)) throw bad(`duplicate parameter name "${name}"`);
      names.add(name);
      end = i + 1 + name.length;
      if (template[end] === '(') {
        const close = closingParen(template, end);
        if (close === -1) throw bad(`unterminated regex for parameter "${name}"`);
        const source = template.slice(end + 1, close);
        if (source === '') throw bad(`empty regex for parameter "${name}"`);
        try {
          compileSegmentRegex(source); // validates; insertRoute compiles it (once per source)
        } catch (err) {
          throw bad((err as Error).message);
        }
        segments.push({ kind: 'regex', name, source });
        end = close + 1;
      } else {
        segments.push({ kind: 'param', name });
      }
      if (end < len && template[end] !== '/') {
        const slash = template.indexOf('/', end);
        const segment = template.slice(i, slash === -1 ? len : slash);
        throw bad(`parameter ":${name}" must span a whole segment; "${segment}" mixes it with text`);
      }
    } else if (c === '*' && (i + 1 === len || template[i + 1] === '/')) {
      if (i + 1 !== len) throw bad('the wildcard "*" may only be the last segment');
      segments.push({ kind: 'wildcard' });
      end = len;
    } else {
      end = template.indexOf('/', i);
      if (end === -1) end = len;
      if (end === i) throw bad(`empty segment ("//") at ${i}`);
      const raw = template.slice(i, end);
      let value = '';
      for (let k = 0; k < raw.length; k++) {
        const ch = raw[k]!;
        if (ch === ':') {
          if (raw[k + 1] !== ':') {
            throw bad(`parameters must span a whole segment ("${raw}"); write "::" for a literal ":"`);
          }
          k++;
        } else if (ch === '*') {
          throw bad(`the wildcard "*" must be a whole segment ("${raw}")`);
        }
        value += ch;
      }
      if (value === '.' || value === '..') throw bad('dot segments never match a normalised path');
      segments.push({ kind: 'static', value });
    }
    if (end === len) break;
    i = end + 1;
    if (i === len) segments.push({ kind: 'static', value: '' }); // trailing slash
  }
  return segments;
}

/** Index of the ')' closing the '(' at `open`, skipping escapes and classes; -1 if none. */
function closingParen(s: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let k = open; k < s.length; k++) {
    const ch = s[k];
    if (ch === '\\') k++;
    else if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return k;
  }
  return -1;
}

/** The segment regex: anchored to the whole segment. Throws on an invalid source. */
export function compileSegmentRegex(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (err) {
    throw new Error(`invalid regex (${source}): ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------
// Trie

export const HOST_EXACT = 0;
export const HOST_SUFFIX = 1;
export const HOST_ANY = 2;

export interface MatchResult<T> {
  kind: 'match';
  value: T;
  template: string;
  params: Record<string, string>;
}

/** One (route, host pattern) pair; a route with n host patterns has n entries. */
export interface Entry<T> {
  readonly index: number;
  readonly value: T;
  readonly template: string;
  /** Parameter names in capture order (`*` for the wildcard). */
  readonly paramNames: readonly string[];
  /** HOST_EXACT (`host` is the name), HOST_SUFFIX (`host` is `.example.com`) or HOST_ANY. */
  readonly hostKind: number;
  readonly host: string;
  /** Upper-case; empty means any method. */
  readonly methods: readonly string[];
  /** Precomputed (frozen) result for routes without parameters, else null. */
  readonly result: MatchResult<T> | null;
}

export class Leaf<T> {
  /** Methods named by some route here, and per method its candidates, best first. */
  methods: string[] = [];
  lists: Entry<T>[][] = [];
  /** Candidates for any other method: the any-method routes, best first. */
  anyMethod: Entry<T>[] = [];
  /** Every entry, in list order (for the 405 allowed list). */
  all: Entry<T>[] = [];
}

export class RegexChild<T> {
  regex: RegExp;
  node: TrieNode<T>;
  source: string;
  constructor(source: string, regex: RegExp, node: TrieNode<T>) {
    this.source = source;
    this.regex = regex;
    this.node = node;
  }
}

/** Nodes with at most this many static children compare them in place instead of hashing a slice. */
const SMALL_STATICS = 8;

export class TrieNode<T> {
  /** Static children when there are many (keyed by segment), else null. */
  statics: Map<string, TrieNode<T>> | null = null;
  /** Static children when there are few: parallel arrays of segment and child. */
  staticKeys: string[] | null = null;
  staticNodes: TrieNode<T>[] | null = null;
  /** Constrained params, in order of first declaration. */
  regexes: RegexChild<T>[] | null = null;
  param: TrieNode<T> | null = null;
  /** Routes ending in `*` here. */
  wildcard: Leaf<T> | null = null;
  /** Routes ending exactly here. */
  leaf: Leaf<T> | null = null;
}

/** Walks/creates the trie path for `segments` and returns the leaf to add the route to. */
export function insertRoute<T>(
  root: TrieNode<T>,
  segments: readonly Segment[],
  regexCache: Map<string, RegExp>,
): Leaf<T> {
  let node = root;
  for (const seg of segments) {
    if (seg.kind === 'static') {
      node.statics ??= new Map();
      let child = node.statics.get(seg.value);
      if (child === undefined) {
        child = new TrieNode();
        node.statics.set(seg.value, child);
      }
      node = child;
    } else if (seg.kind === 'regex') {
      node.regexes ??= [];
      let rc = node.regexes.find((r) => r.source === seg.source);
      if (rc === undefined) {
        let regex = regexCache.get(seg.source);
        if (regex === undefined) {
          regex = compileSegmentRegex(seg.source);
          regexCache.set(seg.source, regex);
        }
        rc = new RegexChild(seg.source, regex, new TrieNode<T>());
        node.regexes.push(rc);
      }
      node = rc.node;
    } else if (seg.kind === 'param') {
      node.param ??= new TrieNode();
      node = node.param;
    } else {
      node.wildcard ??= new Leaf();
      return node.wildcard;
    }
  }
  node.leaf ??= new Leaf();
  return node.leaf;
}

/** Orders candidates: exact host, then longest host suffix, then any host; list order breaks ties. */
function compareEntries<T>(a: Entry<T>, b: Entry<T>): number {
  if (a.hostKind !== b.hostKind) return a.hostKind - b.hostKind;
  if (a.host.length !== b.host.length) return b.host.length - a.host.length;
  return a.index - b.index;
}

/** Fills the per-method candidate lists of a leaf once every route has been added. */
function finalizeLeaf<T>(leaf: Leaf<T>): void {
  const methods = new Set<string>();
  for (const e of leaf.all) for (const m of e.methods) methods.add(m);
  leaf.anyMethod = leaf.all.filter((e) => e.methods.length === 0).sort(compareEntries);
  for (const m of methods) {
    leaf.methods.push(m);
    leaf.lists.push(
      leaf.all.filter((e) => e.methods.length === 0 || e.methods.includes(m)).sort(compareEntries),
    );
  }
}

/** Finalises every leaf and picks the static-children representation of every node. */
export function finalizeTrie<T>(node: TrieNode<T>): void {
  if (node.leaf !== null) finalizeLeaf(node.leaf);
  if (node.wildcard !== null) finalizeLeaf(node.wildcard);
  if (node.statics !== null) {
    for (const child of node.statics.values()) finalizeTrie(child);
    if (node.statics.size <= SMALL_STATICS) {
      node.staticKeys = [...node.statics.keys()];
      node.staticNodes = [...node.statics.values()];
      node.statics = null;
    }
  }
  if (node.regexes !== null) for (const rc of node.regexes) finalizeTrie(rc.node);
  if (node.param !== null) finalizeTrie(node.param);
}

/**
 * Parses a host pattern: exact (`api.example.com`, `[::1]`) or `*.example.com`.
 * Returns [kind, normalised host]; throws on a malformed pattern.
 */
export function parseHostPattern(pattern: string): [number, string] {
  let host = pattern.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '' || host === '*')
    throw new Error(`host pattern "${pattern}": use hosts: [] to match any host`);
  if (host.startsWith('*.')) {
    const suffix = host.slice(1);
    if (suffix.length < 2 || suffix.includes('*') || suffix.includes(':')) {
      throw new Error(`host pattern "${pattern}" is malformed (expected "*.example.com")`);
    }
    return [HOST_SUFFIX, suffix];
  }
  if (host.includes('*')) throw new Error(`host pattern "${pattern}": "*" is only allowed as a leading "*."`);
  if (host.startsWith('[') ? !host.endsWith(']') : host.includes(':')) {
    throw new Error(`host pattern "${pattern}" must not include a port (the request's port is ignored)`);
  }
  return [HOST_EXACT, host];
}

/** The request's Host header as matched: lower-case, port and trailing dot removed. */
export function normalizeRequestHost(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 91) {
    const close = host.indexOf(']');
    if (close !== -1) end = close + 1;
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) end = colon;
  }
  if (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  return (end === host.length ? host : host.slice(0, end)).toLowerCase();
}
