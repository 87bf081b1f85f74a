/**
 * Request-target normalisation, done once before routing so that the path that
 * is matched is exactly the path that is forwarded.
 *
 * Input: the origin-form request-target from Node's `req.url` (`/a/./b?x=1`).
 * Output: `{ path, query }` where `query` is everything after the first `?`
 * (without the `?`, byte-for-byte unchanged; `''` when there is none), or
 * `null` when the path cannot be normalised unambiguously (the caller answers
 * 400 `path_not_normalizable`).
 *
 * Normalisation:
 * - repeated slashes collapse (`/a//b` -> `/a/b`), before dot segments are
 *   resolved (so `/a//../b` -> `/b`, as nginx's `merge_slashes` does);
 * - dot segments are removed per RFC 3986 §5.2.4 (`/a/./b/../c` -> `/a/c`,
 *   `/a/b/..` -> `/a/`), where `%2e`/`%2E` count as `.` for recognising a dot
 *   segment only (`/a/%2e%2E/b` -> `/b`); all other percent-encodings,
 *   including `%2e` inside ordinary segments, are forwarded verbatim.
 *
 * Rejected (null): targets not starting with `/` (absolute-form, authority-form,
 * `*`); encoded slash or backslash (`%2f`, `%5c`: upstreams disagree on whether
 * they separate segments); a raw backslash; NUL or `%00`; malformed
 * percent-encoding (`%zz`, a truncated `%4`); and dot segments that climb above
 * the root (`/../x`, `/a/../../x`).
 *
 * Climbing above the root: RFC 3986 §5.2.4 would silently clamp `/../x` to
 * `/x`. We reject instead: no legitimate client produces such a path, it is a
 * classic traversal probe, and clamping would mean the proxy and an upstream
 * that resolves it differently (or not at all) could disagree about the target.
 */

export interface NormalizedTarget {
  /** Normalised path, always starting with `/`. */
  path: string;
  /** Raw query string without the leading `?` (`''` if absent). */
  query: string;
}

const SLASH = 47; // '/'
const DOT = 46; // '.'
const PERCENT = 37; // '%'
const BACKSLASH = 92; // '\\'

export function normalizePath(raw: string): NormalizedTarget | null {
  if (raw.charCodeAt(0) !== SLASH) return null;
  const q = raw.indexOf('?');
  const end = q === -1 ? raw.length : q;
  // Fast path: nothing that could form a dot segment, an escape, an empty
  // segment or a backslash. A '.' only matters right after a '/', since a dot
  // segment consists of dots alone.
  let prev = SLASH;
  let simple = true;
  for (let i = 1; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT || c === BACKSLASH || c === 0 || (prev === SLASH && (c === SLASH || c === DOT))) {
      simple = false;
      break;
    }
    prev = c;
  }
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q + 1);
  if (simple) return { path, query };
  const normalized = normalizeSlow(path);
  return normalized === null ? null : { path: normalized, query };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a-f
  return -1;
}

/** 0: not a dot segment; 1: `.`; 2: `..` (each dot may be written `%2e`/`%2E`). */
function dotSegment(seg: string): number {
  let dots = 0;
  let i = 0;
  while (i < seg.length) {
    const c = seg.charCodeAt(i);
    if (c === DOT) i += 1;
    else if (c === PERCENT && seg.charCodeAt(i + 1) === 50 && (seg.charCodeAt(i + 2) | 0x20) === 101) i += 3;
    else return 0;
    if (++dots > 2) return 0;
  }
  return dots;
}

function normalizeSlow(path: string): string | null {
  const len = path.length;
  for (let i = 0; i < len; i++) {
    const c = path.charCodeAt(i);
    if (c === BACKSLASH || c === 0) return null;
    if (c === PERCENT) {
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return null; // NaN past the end also lands here
      const byte = (hi << 4) | lo;
      if (byte === 0x2f || byte === 0x5c || byte === 0) return null;
      i += 2;
    }
  }

  const parts = path.split('/');
  const out: string[] = [];
  const last = parts.length - 1;
  let trailingSlash = false;
  // parts[0] is the empty string before the leading '/'.
  for (let i = 1; i <= last; i++) {
    const seg = parts[i]!;
    const isLast = i === last;
    if (seg === '') {
      // Empty segment: collapsed; a final one is the trailing slash.
      if (isLast) trailingSlash = true;
      continue;
    }
    const dots = dotSegment(seg);
    if (dots === 0) {
      out.push(seg);
      trailingSlash = false;
      continue;
    }
    if (dots === 2) {
      if (out.length === 0) return null; // climbs above the root: rejected, see above
      out.pop();
    }
    // A final dot segment leaves a trailing slash (`/a/b/..` -> `/a/`).
    if (isLast) trailingSlash = true;
  }
  if (out.length === 0) return '/';
  const joined = `/${out.join('/')}`;
  return trailingSlash ? `${joined}/` : joined;
}
