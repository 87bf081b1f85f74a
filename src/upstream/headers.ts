/**
 * Header hygiene both ways. Hop-by-hop fields (RFC 9110 §7.6.1) and every field
 * the client nominated in `Connection` are removed *before* the proxy adds its
 * own fields, so `Connection: X-Forwarded-For` cannot strip what Sidelight sets.
 * The per-route add/set/remove lists are compiled once at provision time.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { HeaderOps } from '../config/schema.ts';

/** Go's httputil list, plus `expect` (the proxy answers 100-continue itself). */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Fields the proxy sets itself on the way up; client-sent values are replaced. */
const PROXY_SET_UP = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  // Trace context is re-injected by the telemetry layer (the proxy's CLIENT span as parent).
  'traceparent',
  'tracestate',
  'baggage',
]);

/** A route's header operations, lower-cased and flattened once. */
export interface CompiledHeaderOps {
  /** Names to drop from what is passed on (remove ∪ set). */
  readonly drop: ReadonlySet<string>;
  /** Flat [name, value, ...] appended after dropping (set then add). */
  readonly append: readonly string[];
}

export function compileHeaderOps(ops: HeaderOps | undefined): CompiledHeaderOps | undefined {
  if (!ops) return undefined;
  const drop = new Set<string>();
  const append: string[] = [];
  for (const name of ops.remove) drop.add(name.toLowerCase());
  for (const [name, value] of Object.entries(ops.set)) {
    drop.add(name.toLowerCase());
    append.push(name.toLowerCase(), value);
  }
  for (const [name, value] of Object.entries(ops.add)) append.push(name.toLowerCase(), value);
  if (drop.size === 0 && append.length === 0) return undefined;
  return { drop, append };
}

/** Settings that shape the forwarded request, fixed per runtime. */
export interface ForwardingPolicy {
  readonly trustedHops: number;
  /** `1.1 <pseudonym>`, precomputed. */
  readonly via: string;
  readonly requestIdHeader: string;
  /** The proxy answers with its own trace response header: the upstream's copy is dropped ('' when off). */
  readonly traceResponseHeader: string;
}

/** Per-request facts that become X-Forwarded-* and Via. */
export interface ForwardedFor {
  readonly peerAddress: string;
  readonly proto: 'http' | 'https';
  readonly requestId: string;
}

/** Parses a `Connection` value into nominated names (lower-case, minus the two options). */
function nominated(value: string, into: string[]): void {
  // Nearly every Connection header is just one of the two options: no parsing.
  if (value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return;
  }
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && t !== 'close' && t !== 'keep-alive') into.push(t);
  }
}

function applyOps(out: string[], ops: CompiledHeaderOps): string[] {
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if (!ops.drop.has(out[i]!.toLowerCase())) kept.push(out[i]!, out[i + 1]!);
  }
  for (const v of ops.append) kept.push(v);
  return kept;
}

function dropNominated(out: string[], names: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if (!names.includes(out[i]!.toLowerCase())) kept.push(out[i]!, out[i + 1]!);
  }
  return kept;
}

/**
 * The headers sent upstream, as a flat [name, value, ...] list (undici's
 * cheapest form; duplicates and order preserved).
 */
export function buildRequestHeaders(
  req: IncomingMessage,
  fwd: ForwardedFor,
  policy: ForwardingPolicy,
  ops: CompiledHeaderOps | undefined,
  propagated: readonly string[] | undefined,
): string[] {
  const raw = req.rawHeaders;
  let out: string[] = [];
  let connectionNames: string[] | undefined;
  let xff: string | undefined;
  let xfp: string | undefined;
  let xfh: string | undefined;
  let host: string | undefined;
  let via: string | undefined;
  const idHeader = policy.requestIdHeader;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') {
        connectionNames ??= [];
        nominated(value, connectionNames);
      }
      continue;
    }
    if (PROXY_SET_UP.has(lower)) {
      if (lower === 'x-forwarded-for') xff = xff === undefined ? value : `${xff}, ${value}`;
      else if (lower === 'x-forwarded-proto') xfp ??= value;
      else if (lower === 'x-forwarded-host') xfh ??= value;
      continue;
    }
    if (lower === idHeader) continue;
    if (lower === 'via') {
      via = via === undefined ? value : `${via}, ${value}`;
      continue;
    }
    if (lower === 'host') host ??= value;
    out.push(name, value);
  }
  if (connectionNames !== undefined && connectionNames.length > 0) {
    out = dropNominated(out, connectionNames);
    // Nominated Via / X-Forwarded-* are the client's to drop (even from a trusted
    // hop); the proxy still adds its own below.
    if (connectionNames.includes('via')) via = undefined;
    if (connectionNames.includes('x-forwarded-for')) xff = undefined;
    if (connectionNames.includes('x-forwarded-proto')) xfp = undefined;
    if (connectionNames.includes('x-forwarded-host')) xfh = undefined;
  }

  // X-Forwarded-*: only trusted hops may contribute (issue 2: client values not trusted by default).
  const trusted = policy.trustedHops > 0;
  out.push(
    'x-forwarded-for',
    trusted && xff !== undefined ? `${xff}, ${fwd.peerAddress}` : fwd.peerAddress,
    'x-forwarded-proto',
    trusted && xfp !== undefined ? xfp : fwd.proto,
  );
  const forwardedHost = trusted && xfh !== undefined ? xfh : host;
  if (forwardedHost !== undefined) out.push('x-forwarded-host', forwardedHost);
  out.push('via', via === undefined ? policy.via : `${via}, ${policy.via}`, idHeader, fwd.requestId);
  if (propagated !== undefined) for (const v of propagated) out.push(v);
  return ops === undefined ? out : applyOps(out, ops);
}

/**
 * The headers sent back to the client, as a flat list for `res.writeHead`.
 * `headers` is undici's parsed object (lower-case names, arrays for repeats).
 */
export function buildResponseHeaders(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  requestId: string,
  policy: ForwardingPolicy,
  ops: CompiledHeaderOps | undefined,
): string[] {
  let out: string[] = [];
  let connectionNames: string[] | undefined;
  let via: string | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') {
        connectionNames ??= [];
        nominated(String(value), connectionNames);
      }
      continue;
    }
    if (name === 'via') {
      via = Array.isArray(value) ? value.join(', ') : value;
      continue;
    }
    if (name === policy.requestIdHeader || name === policy.traceResponseHeader) continue;
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, value);
  }
  if (connectionNames !== undefined && connectionNames.length > 0) out = dropNominated(out, connectionNames);
  out.push(
    'via',
    via === undefined ? policy.via : `${via}, ${policy.via}`,
    policy.requestIdHeader,
    requestId,
  );
  return ops === undefined ? out : applyOps(out, ops);
}

/** `::ffff:127.0.0.1` -> `127.0.0.1`; the form X-Forwarded-For carries. */
export function peerAddressOf(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Keeps a client's request id when it is printable ASCII and bounded; else undefined. */
export function acceptableRequestId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return REQUEST_ID.test(value) ? value : undefined;
}

/**
 * `Basic base64(user:password)` (RFC 7617) from an endpoint URL's userinfo,
 * percent-decoded; undefined when the URL has none. Computed once per endpoint.
 */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const userPass = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
}

/**
 * The endpoint's credentials added to a request's headers unless it already
 * carries an `Authorization` (the client's own, or a route's `headers.request.set`):
 * Envoy's credential injector does the same by default (`overwrite: false`).
 * A route that must always use the endpoint's credentials removes the client's
 * with `headers.request.remove: [authorization]`.
 */
export function withAuthorization(headers: readonly string[], authorization: string): string[] {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') return headers as string[];
  }
  return [...headers, 'authorization', authorization];
}
