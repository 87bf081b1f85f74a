/**
 * The route matcher: method + Host + normalised path -> route. Hot path.
 *
 * Templates: static segments, `:name` (one non-empty segment), `:name(regex)`
 * (one non-empty segment; the regex is anchored to the whole segment and
 * compiled once), and a trailing `*` (zero or more remaining segments, captured
 * as param `*`, e.g. `/a/*` matches `/a`, `/a/` and `/a/b/c` with `*` = `''`,
 * `''`, `b/c`). A parameter must be a whole segment; `::` is a literal `:` in a
 * static segment. A template's trailing slash is significant (`/a/` is not
 * `/a`); the root `/` has no segments.
 *
 * Priority, segment by segment from the left: static > constrained param
 * (several regexes: in order of first declaration) > plain param > wildcard,
 * and a route ending at the end of the path beats a wildcard matching nothing.
 * This is a depth-first walk with backtracking: if the static branch fails
 * deeper down (no route, or none for this method and host), the regex
 * branches are tried, then the param branch, then the wildcard. Routes whose
 * templates have the same shape (same statics and regexes; param names may
 * differ) share a leaf; there, per method, a route whose exact host matches
 * beats one whose `*.suffix` matches (longest suffix first), which beats one
 * without host restriction; then the first in the list wins.
 *
 * 404 vs 405: when no route matches method + host + path but some route matches
 * host + path, the result is `method_not_allowed` with the sorted union of
 * those routes' methods; otherwise `not_found`.
 *
 * Params are raw (still percent-encoded) segments. Results are shared and
 * frozen for routes without parameters: treat every result as read-only.
 */
import {
  type Entry,
  finalizeTrie,
  HOST_ANY,
  HOST_EXACT,
  insertRoute,
  type Leaf,
  type MatchResult,
  normalizeRequestHost,
  parseHostPattern,
  parseTemplate,
  RouteSyntaxError,
  TrieNode,
} from './trie.ts';

export { RouteSyntaxError } from './trie.ts';

export interface RouteDefinition<T> {
  path: string;
  methods: readonly string[];
  hosts: readonly string[];
  value: T;
}

export type RouteMatch<T> =
  | { kind: 'match'; value: T; template: string; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: readonly string[] }
  | { kind: 'not_found' };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NOT_FOUND: RouteMatch<never> = Object.freeze({ kind: 'not_found' });
const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class Router<T> {
  readonly #root = new TrieNode<T>();
  /** Fully static templates (as the matched path spells them) -> their leaf. */
  readonly #statics = new Map<string, Leaf<T>>();
  // Per-lookup state. find() is synchronous and calls no user code, so one set
  // of scratch fields per router is enough and lookups allocate nothing until
  // the result.
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #method = '';
  #rawHost: string | undefined = undefined;
  #host: string | null = null;
  #failed: Leaf<T>[] = [];
  #failedCount = 0;

  constructor(routes: readonly RouteDefinition<T>[]) {
    const regexCache = new Map<string, RegExp>();
    let maxParams = 1;
    routes.forEach((route, index) => {
      let segments: ReturnType<typeof parseTemplate>;
      const hostPatterns: [number, string][] = [];
      try {
        segments = parseTemplate(route.path);
        for (const h of route.hosts) hostPatterns.push(parseHostPattern(h));
        for (const m of route.methods) {
          if (!TOKEN.test(m)) throw new Error(`invalid method ${JSON.stringify(m)}`);
        }
      } catch (err) {
        throw new RouteSyntaxError(index, (err as Error).message);
      }
      const paramNames = segments.flatMap((s) =>
        s.kind === 'static' ? [] : s.kind === 'wildcard' ? ['*'] : [s.name],
      );
      maxParams = Math.max(maxParams, paramNames.length);
      const leaf = insertRoute(this.#root, segments, regexCache);
      if (segments.every((s) => s.kind === 'static')) {
        this.#statics.set(`/${segments.map((s) => (s.kind === 'static' ? s.value : '')).join('/')}`, leaf);
      }
      const methods = [...new Set(route.methods.map((m) => m.toUpperCase()))];
      const result: MatchResult<T> | null =
        paramNames.length === 0
          ? Object.freeze({ kind: 'match', value: route.value, template: route.path, params: EMPTY_PARAMS })
          : null;
      if (hostPatterns.length === 0) hostPatterns.push([HOST_ANY, '']);
      for (const [hostKind, host] of hostPatterns) {
        const entry: Entry<T> = {
          index,
          value: route.value,
          template: route.path,
          paramNames,
          hostKind,
          host,
          methods,
          result,
        };
        leaf.all.push(entry);
      }
    });
    finalizeTrie(this.#root);
    this.#starts = new Int32Array(maxParams);
    this.#ends = new Int32Array(maxParams);
  }

  find(method: string, host: string | undefined, path: string): RouteMatch<T> {
    if (path.charCodeAt(0) !== 47) return NOT_FOUND;
    this.#method = method;
    this.#rawHost = host;
    this.#host = null;
    this.#failedCount = 0;
    const leaf = this.#statics.get(path);
    if (leaf !== undefined) {
      const entry = this.#resolve(leaf);
      if (entry !== null) return entry.result!;
    }
    const entry = this.#walk(this.#root, path, path.length === 1 ? 1 : 0, 0);
    if (entry !== null) {
      if (entry.result !== null) return entry.result;
      const names = entry.paramNames;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = path.slice(this.#starts[i], this.#ends[i]);
      return { kind: 'match', value: entry.value, template: entry.template, params };
    }
    return this.#failedCount === 0 ? NOT_FOUND : this.#notAllowed();
  }

  /**
   * Depth-first walk. `pos` is the index of the '/' before the next segment, or
   * path.length when no segment is left. Captures go to #starts/#ends[np].
   */
  #walk(node: TrieNode<T>, path: string, pos: number, np: number): Entry<T> | null {
    const len = path.length;
    if (pos === len) {
      if (node.leaf !== null) {
        const entry = this.#resolve(node.leaf);
        if (entry !== null) return entry;
      }
      if (node.wildcard !== null) {
        this.#starts[np] = len;
        this.#ends[np] = len;
        return this.#resolve(node.wildcard);
      }
      return null;
    }
    const start = pos + 1;
    let end = path.indexOf('/', start);
    if (end === -1) end = len;
    let seg: string | null = null;
    const keys = node.staticKeys;
    if (keys !== null) {
      const segLen = end - start;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (key.length === segLen && path.startsWith(key, start)) {
          const entry = this.#walk(node.staticNodes![i]!, path, end, np);
          if (entry !== null) return entry;
          break;
        }
      }
    } else if (node.statics !== null) {
      seg = path.slice(start, end);
      const child = node.statics.get(seg);
      if (child !== undefined) {
        const entry = this.#walk(child, path, end, np);
        if (entry !== null) return entry;
      }
    }
    if (end > start) {
      const regexes = node.regexes;
      if (regexes !== null) {
        if (seg === null) seg = path.slice(start, end);
        for (let i = 0; i < regexes.length; i++) {
          const rc = regexes[i]!;
          if (rc.regex.test(seg)) {
            this.#starts[np] = start;
            this.#ends[np] = end;
            const entry = this.#walk(rc.node, path, end, np + 1);
            if (entry !== null) return entry;
          }
        }
      }
      if (node.param !== null) {
        this.#starts[np] = start;
        this.#ends[np] = end;
        const entry = this.#walk(node.param, path, end, np + 1);
        if (entry !== null) return entry;
      }
    }
    if (node.wildcard !== null) {
      this.#starts[np] = start;
      this.#ends[np] = len;
      return this.#resolve(node.wildcard);
    }
    return null;
  }

  /** The best entry of `leaf` for the current method and host, or null (remembered for 405). */
  #resolve(leaf: Leaf<T>): Entry<T> | null {
    let list = leaf.anyMethod;
    const methods = leaf.methods;
    for (let i = 0; i < methods.length; i++) {
      if (methods[i] === this.#method) {
        list = leaf.lists[i]!;
        break;
      }
    }
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.hostKind === HOST_ANY || this.#hostMatches(e)) return e;
    }
    if (methods.length > 0) this.#failed[this.#failedCount++] = leaf;
    return null;
  }

  #hostMatches(e: Entry<T>): boolean {
    if (e.hostKind === HOST_ANY) return true;
    let host = this.#host;
    if (host === null) {
      if (this.#rawHost === undefined) return false;
      host = normalizeRequestHost(this.#rawHost);
      this.#host = host;
    }
    if (e.hostKind === HOST_EXACT) return host === e.host;
    return host.length > e.host.length && host.endsWith(e.host);
  }

  #notAllowed(): RouteMatch<T> {
    const allowed = new Set<string>();
    for (let i = 0; i < this.#failedCount; i++) {
      for (const e of this.#failed[i]!.all) {
        if (e.methods.length > 0 && this.#hostMatches(e)) for (const m of e.methods) allowed.add(m);
      }
    }
    if (allowed.size === 0) return NOT_FOUND;
    return { kind: 'method_not_allowed', allowed: Object.freeze([...allowed].sort()) };
  }
}
