/**
 * Router.find against a naive reference matcher that tries every route and
 * keeps the best one by the documented priority rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RouteDefinition, type RouteMatch, Router } from '../../../src/routing/router.ts';

// ---------------------------------------------------------------------------
// Reference matcher

type RefSegment =
  | { kind: 'static'; value: string }
  | { kind: 'regex'; name: string; source: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard' };

const KIND_RANK = { static: 0, regex: 1, param: 2, wildcard: 3 } as const;

/** Enough of the template syntax for generated templates (no '/' inside regexes, no '::'). */
function refParse(template: string): RefSegment[] {
  if (template === '/') return [];
  return template
    .slice(1)
    .split('/')
    .map((s): RefSegment => {
      if (s === '*') return { kind: 'wildcard' };
      const m = /^:(\w+)(?:\((.*)\))?$/.exec(s);
      if (m === null) return { kind: 'static', value: s };
      return m[2] === undefined
        ? { kind: 'param', name: m[1]! }
        : { kind: 'regex', name: m[1]!, source: m[2] };
    });
}

function shapeOf(s: RefSegment): string {
  if (s.kind === 'static') return `s:${s.value}`;
  if (s.kind === 'regex') return `r:${s.source}`;
  return s.kind;
}

/** Host rank of a route for a request host: [class, -suffix length], or null if no pattern matches. */
function hostRank(hosts: readonly string[], rawHost: string | undefined): [number, number] | null {
  if (hosts.length === 0) return [2, 0];
  if (rawHost === undefined) return null;
  const host = rawHost.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
  let best: [number, number] | null = null;
  for (const pattern of hosts) {
    const p = pattern.toLowerCase();
    let rank: [number, number] | null = null;
    if (p.startsWith('*.')) {
      if (host.endsWith(p.slice(1)) && host.length > p.length - 1) rank = [1, -(p.length - 1)];
    } else if (host === p) {
      rank = [0, 0];
    }
    if (rank !== null && (best === null || rank[0] < best[0] || (rank[0] === best[0] && rank[1] < best[1]))) {
      best = rank;
    }
  }
  return best;
}

function compareVectors(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length; // a route ending here beats a wildcard matching nothing
}

function refFind<T>(
  routes: readonly RouteDefinition<T>[],
  method: string,
  host: string | undefined,
  path: string,
): RouteMatch<T> {
  const segs = path === '/' ? [] : path.slice(1).split('/');
  const parsed = routes.map((r) => refParse(r.path));
  const shapes = parsed.map((p) => p.map(shapeOf));
  // Rank of the first route declaring the same shape prefix: the order in
  // which sibling branches (regexes in particular) are tried.
  const declRank = (r: number, i: number): number => {
    const prefix = shapes[r]!.slice(0, i + 1).join('/');
    return shapes.findIndex((s) => s.length > i && s.slice(0, i + 1).join('/') === prefix);
  };

  type Cand = { index: number; key: number[]; params: Record<string, string> };
  const pathMatches: Cand[] = [];
  parsed.forEach((segments, index) => {
    const params: Record<string, string> = {};
    const key: number[] = [];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      if (s.kind === 'wildcard') {
        params['*'] = segs.slice(i).join('/');
        key.push(KIND_RANK.wildcard, declRank(index, i));
        pathMatches.push({ index, key, params });
        return;
      }
      const v = segs[i];
      if (v === undefined) return;
      if (s.kind === 'static' && v !== s.value) return;
      if (s.kind === 'param' || s.kind === 'regex') {
        if (v === '') return;
        if (s.kind === 'regex' && !new RegExp(`^(?:${s.source})$`).test(v)) return;
        params[s.name] = v;
      }
      key.push(KIND_RANK[s.kind], declRank(index, i));
    }
    if (segments.length === segs.length) pathMatches.push({ index, key, params });
  });

  let best: { cand: Cand; host: [number, number] } | null = null;
  const allowed = new Set<string>();
  let hostPathMatch = false;
  for (const cand of pathMatches) {
    const route = routes[cand.index]!;
    const h = hostRank(route.hosts, host);
    if (h === null) continue;
    hostPathMatch = true;
    if (route.methods.length > 0 && !route.methods.includes(method)) {
      for (const m of route.methods) allowed.add(m);
      continue;
    }
    if (best === null) {
      best = { cand, host: h };
      continue;
    }
    const c =
      compareVectors(cand.key, best.cand.key) ||
      h[0] - best.host[0] ||
      h[1] - best.host[1] ||
      cand.index - best.cand.index;
    if (c < 0) best = { cand, host: h };
  }
  if (best !== null) {
    const route = routes[best.cand.index]!;
    return { kind: 'match', value: route.value, template: route.path, params: best.cand.params };
  }
  if (hostPathMatch && allowed.size > 0) return { kind: 'method_not_allowed', allowed: [...allowed].sort() };
  return { kind: 'not_found' };
}

// ---------------------------------------------------------------------------
// Generators

const REGEXES = ['\\d+', '[a-z]+', '[a-z0-9]+'];
const REGEX_WORDS: Record<string, string[]> = {
  '\\d+': ['10', '123'],
  '[a-z]+': ['a', 'zz', 'api'],
  '[a-z0-9]+': ['q9', '7x', '10', 'b'],
};
const METHODS = ['GET', 'GET', 'POST', 'PUT', 'DELETE'];
const HOSTS = [undefined, undefined, 'a.com', 'A.com:8080', 'x.a.com', 'X.A.COM.', 'b.com', 'c.com'];

interface Shape {
  staticWords: string[];
  minRoutes: number;
  maxRoutes: number;
  maxSegments: number;
}

/** Tables and lookups (method, host, path) for them; paths mostly built from the table's own segments. */
function scenarioArb(shape: Shape) {
  const pathWords = [...shape.staticWords, '123', 'zz', 'q9', 'b'];
  const segmentArb = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(...shape.staticWords).map((v) => ({ kind: 'static' as const, v })),
    },
    { weight: 2, arbitrary: fc.constantFrom(...REGEXES).map((v) => ({ kind: 'regex' as const, v })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'param' as const, v: '' }) },
  );
  const templateArb = fc
    .record({
      segments: fc.array(segmentArb, { maxLength: shape.maxSegments }),
      names: fc.array(fc.constantFrom('p', 'q'), {
        minLength: shape.maxSegments,
        maxLength: shape.maxSegments,
      }),
      tail: fc.constantFrom('', '', '', '*', '/'),
    })
    .map(({ segments, names, tail }) => {
      const parts = segments.map((s, i) => {
        if (s.kind === 'static') return s.v;
        const name = `${names[i]}${i}`;
        return s.kind === 'param' ? `:${name}` : `:${name}(${s.v})`;
      });
      if (tail === '*') parts.push('*');
      let t = `/${parts.join('/')}`;
      if (tail === '/' && parts.length > 0) t += '/';
      return t;
    });
  const routeArb = fc.record({
    path: templateArb,
    methods: fc.oneof(
      fc.constant<string[]>([]),
      fc.uniqueArray(fc.constantFrom('GET', 'POST', 'PUT'), { minLength: 1, maxLength: 2 }),
    ),
    hosts: fc.oneof(
      { weight: 6, arbitrary: fc.constant<string[]>([]) },
      { weight: 1, arbitrary: fc.constant(['a.com']) },
      { weight: 1, arbitrary: fc.constant(['*.a.com']) },
      { weight: 1, arbitrary: fc.constant(['b.com', '*.a.com']) },
      { weight: 1, arbitrary: fc.constant(['x.a.com']) },
      { weight: 1, arbitrary: fc.constant(['*.com']) },
    ),
  });
  const tableArb = fc
    .array(routeArb, { minLength: shape.minRoutes, maxLength: shape.maxRoutes, size: 'max' })
    .map((rs) => rs.map((r, value) => ({ ...r, value })));

  const pathArb = (table: readonly RouteDefinition<number>[]): fc.Arbitrary<string> => {
    const fromTable = fc.constantFrom(...table.map((r) => r.path)).chain((t) => {
      const segs = refParse(t);
      return fc
        .tuple(
          fc.tuple(
            ...segs.map((s) => {
              if (s.kind === 'static') {
                return fc.oneof(
                  { weight: 12, arbitrary: fc.constant(s.value) },
                  fc.constantFrom(...pathWords),
                );
              }
              if (s.kind === 'wildcard') {
                return fc.array(fc.constantFrom(...pathWords), { maxLength: 2 }).map((a) => a.join('/'));
              }
              const fitting = s.kind === 'regex' ? REGEX_WORDS[s.source]! : pathWords;
              return fc.oneof(
                { weight: 4, arbitrary: fc.constantFrom(...fitting) },
                fc.constantFrom(...pathWords),
              );
            }),
          ),
          fc.constantFrom('', '', '', '', '', '/'),
        )
        .map(([parts, slash]) => {
          const p = `/${parts.filter((x) => x !== '').join('/')}`;
          return p === '/' ? p : p.replace(/\/$/, '') + slash;
        });
    });
    const random = fc
      .tuple(fc.array(fc.constantFrom(...pathWords), { maxLength: shape.maxSegments + 1 }), fc.boolean())
      .map(([segs, slash]) => (segs.length === 0 ? '/' : `/${segs.join('/')}${slash ? '/' : ''}`));
    return fc.oneof({ weight: 5, arbitrary: fromTable }, { weight: 1, arbitrary: random });
  };

  return tableArb.chain((table) =>
    fc.tuple(
      fc.constant(table),
      fc.array(fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...HOSTS), pathArb(table)), {
        minLength: 1,
        maxLength: 25,
      }),
    ),
  );
}

// ---------------------------------------------------------------------------

describe('Router.find agrees with the reference matcher', () => {
  const check = (shape: Shape, numRuns: number) => {
    const seen = { match: 0, method_not_allowed: 0, not_found: 0 };
    let total = 0;
    fc.assert(
      fc.property(scenarioArb(shape), ([table, lookups]) => {
        const router = new Router(table);
        for (const [method, host, path] of lookups) {
          const expected = refFind(table, method, host, path);
          const actual = router.find(method, host, path);
          total++;
          seen[expected.kind]++;
          expect({ method, host, path, result: actual }).toEqual({ method, host, path, result: expected });
        }
      }),
      { numRuns },
    );
    // The generators are meant to exercise every outcome, mostly matches.
    expect(seen.match / total).toBeGreaterThan(0.35);
    expect(seen.method_not_allowed / total).toBeGreaterThan(0.01);
    expect(seen.not_found / total).toBeGreaterThan(0.01);
  };

  it('on small, dense random tables and nearby paths', () => {
    check({ staticWords: ['a', 'b', 'api', '10', '7x'], minRoutes: 1, maxRoutes: 14, maxSegments: 4 }, 1000);
  });

  it('on wider tables (nodes with many static children are hashed)', () => {
    const staticWords = ['a', 'b', 'api', '10', '7x', ...Array.from({ length: 12 }, (_, i) => `w${i}`)];
    check({ staticWords, minRoutes: 30, maxRoutes: 60, maxSegments: 3 }, 300);
  });
});
