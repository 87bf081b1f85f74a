/**
 * Route-matcher microbenchmark: Sidelight's Router against find-my-way on the
 * same 5,000-route table and the same 10,000 lookups.
 *
 *   npx node bench/router.bench.ts [--quick]
 *
 * Every timed pass looks up freshly allocated path strings (as a server gets a
 * new `req.url` per request), so neither router profits from string hashes
 * cached by an earlier pass. Rows:
 * - find:               Router.find(path) vs findMyWay.find('GET', path) on
 *                       normalised paths without query (the budget ratio);
 * - normalize + find:   normalizePath(url) + Router.find vs findMyWay.find('GET',
 *                       url) on raw targets, 10% of them with a query string
 *                       (find-my-way splits the query and checks the encoding
 *                       itself), for information.
 * Exits non-zero when the find ratio exceeds the budget (1.5).
 */
import FindMyWay from 'find-my-way';
import { normalizePath } from '../src/routing/normalize.ts';
import { type RouteDefinition, Router } from '../src/routing/router.ts';

export const ROUTER_BUDGET = 1.5;

export interface RouterBenchResult {
  sidelightNsPerOp: number;
  findMyWayNsPerOp: number;
  ratio: number;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESOURCES = ['items', 'orders', 'users', 'events', 'logs', 'keys', 'jobs', 'tags'];
const STATIC_TAILS = ['stats', 'summary', 'export'];
const PARAM_TAILS = ['history', 'owners', 'labels'];
const SERVICES = 400;

interface Table {
  routes: RouteDefinition<string>[];
  byKind: Record<'static' | 'param' | 'regex' | 'wildcard', string[]>;
}

export function buildTable(size = 5000, seed = 0x5eed): Table {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)]!;
  const base = (): string => `/api/v${1 + int(3)}/svc${int(SERVICES)}`;
  const quotas = { static: 0.6, param: 0.25, regex: 0.1, wildcard: 0.05 } as const;
  const byKind: Table['byKind'] = { static: [], param: [], regex: [], wildcard: [] };
  const seen = new Set<string>();
  for (const kind of ['static', 'param', 'regex', 'wildcard'] as const) {
    const want = Math.round(size * quotas[kind]);
    while (byKind[kind].length < want) {
      let t: string;
      const r = rnd();
      if (kind === 'static') {
        t = `${base()}/${pick(RESOURCES)}${r < 0.3 ? `/${pick(STATIC_TAILS)}` : ''}`;
      } else if (kind === 'param') {
        if (r < 0.55) t = `${base()}/${pick(RESOURCES)}/:id`;
        else if (r < 0.9) t = `${base()}/${pick(RESOURCES)}/:id/${pick(PARAM_TAILS)}`;
        else t = `${base()}/:resource/meta`;
      } else if (kind === 'regex') {
        t = `${base()}/${pick(RESOURCES)}/:id(\\d+)${r < 0.5 ? '/detail' : ''}`;
      } else {
        t = r < 0.5 ? `/static/svc${int(SERVICES)}/*` : `${base()}/files/*`;
      }
      if (seen.has(t)) continue;
      seen.add(t);
      byKind[kind].push(t);
    }
  }
  // Interleave the kinds so that the list order is not grouped by kind.
  const all = [...byKind.static, ...byKind.param, ...byKind.regex, ...byKind.wildcard];
  for (let i = all.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const routes = all.map((path) => ({ path, methods: ['GET'], hosts: [], value: path }));
  return { routes, byKind };
}

/** find-my-way spelling of a template: anchored regexes. */
function toFindMyWay(template: string): string {
  return template.replace(/\(([^)]*)\)/g, '(^$1$$)');
}

export function buildLookups(table: Table, count = 10000, seed = 0x100c): string[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)]!;
  const fill = (t: string): string =>
    t
      .replace(/:id\(\\d\+\)/, () => String(1 + int(99999)))
      .replace(':id', () => (rnd() < 0.5 ? String(int(99999)) : `u${int(1e6).toString(36)}`))
      .replace(':resource', () => pick(RESOURCES))
      .replace('*', () => ['app.js', 'css/site.css', 'img/a/b/logo.png'][int(3)]!);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < 0.4) out.push(pick(table.byKind.static));
    else if (r < 0.6) out.push(fill(pick(table.byKind.param)));
    else if (r < 0.7) out.push(fill(pick(table.byKind.regex)));
    else if (r < 0.8) out.push(fill(pick(table.byKind.wildcard)));
    else {
      // Misses: unknown service or resource, extra segments, unknown prefix.
      const m = int(4);
      if (m === 0) out.push(`/api/v${1 + int(3)}/svc${SERVICES + int(1000)}/items`);
      else if (m === 1) out.push(`/api/v1/svc${int(SERVICES)}/nosuch${int(100)}`);
      else if (m === 2) out.push(`${pick(table.byKind.static)}/x/y`);
      else out.push(`/unknown/${int(1000)}/path`);
    }
  }
  return out;
}

/** Fresh, flat copies of the strings: no cached hashes, as for a real request. */
function fresh(paths: readonly string[]): string[] {
  return paths.map((p) => Buffer.from(p, 'latin1').toString('latin1'));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function sameParams(a: Record<string, string | undefined>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export async function runRouterBench(opts: { quick?: boolean } = {}): Promise<RouterBenchResult> {
  const rounds = 7;
  const passes = opts.quick ? 2 : 10;
  const table = buildTable();
  const lookups = buildLookups(table);
  // 10% of raw targets carry a query string.
  const raw = lookups.map((p, i) => (i % 10 === 0 ? `${p}?page=${i}&sort=asc` : p));

  const router = new Router(table.routes);
  const fmw = FindMyWay();
  for (const r of table.routes) fmw.on('GET', toFindMyWay(r.path), () => {}, { template: r.path });

  // Both routers must agree on every lookup before anything is timed.
  const kinds = { static: 0, param: 0, regex: 0, wildcard: 0, miss: 0 };
  for (const path of lookups) {
    const a = router.find('GET', 'bench.local', path);
    const b = fmw.find('GET', path);
    if (a.kind !== 'match' && a.kind !== 'not_found') throw new Error(`unexpected ${a.kind} for ${path}`);
    const agree =
      a.kind === 'match'
        ? b !== null &&
          (b.store as { template: string }).template === a.template &&
          sameParams(b.params, a.params)
        : b === null;
    if (!agree) {
      throw new Error(`routers disagree on ${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b?.store)}`);
    }
    if (a.kind === 'not_found') kinds.miss++;
    else if ('*' in a.params) kinds.wildcard++;
    else if (a.template.includes('(')) kinds.regex++;
    else if (Object.keys(a.params).length > 0) kinds.param++;
    else kinds.static++;
  }

  let sink = 0;
  const timeSidelight = (paths: readonly string[]): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < paths.length; i++) sink += router.find('GET', 'bench.local', paths[i]!).kind.length;
    return Number(process.hrtime.bigint() - t0);
  };
  const timeSidelightPipeline = (paths: readonly string[]): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < paths.length; i++) {
      const target = normalizePath(paths[i]!);
      if (target !== null) sink += router.find('GET', 'bench.local', target.path).kind.length;
    }
    return Number(process.hrtime.bigint() - t0);
  };
  const timeFindMyWay = (paths: readonly string[]): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < paths.length; i++) sink += fmw.find('GET', paths[i]!) === null ? 0 : 1;
    return Number(process.hrtime.bigint() - t0);
  };

  // One round: `passes` passes over the lookups for each of the four cases,
  // interleaved pass by pass (in rotating order) so that load from elsewhere on
  // the machine, GC and frequency changes hit every case alike.
  const cases = [
    { fn: timeSidelight, source: lookups },
    { fn: timeFindMyWay, source: lookups },
    { fn: timeSidelightPipeline, source: raw },
    { fn: timeFindMyWay, source: raw },
  ];
  const round = (count = passes): number[] => {
    const totals = cases.map(() => 0);
    for (let p = 0; p < count; p++) {
      for (let k = 0; k < cases.length; k++) {
        const c = (k + p) % cases.length;
        const { fn, source } = cases[c]!;
        const paths = fresh(source);
        totals[c]! += fn(paths);
      }
    }
    return totals.map((ns, c) => ns / (count * cases[c]!.source.length));
  };

  // Warm-up (the same in quick mode): let both reach their optimised tiers.
  round(20);
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const ns = round();
    for (let c = 0; c < cases.length; c++) samples[c]!.push(ns[c]!);
  }
  if (sink === -1) console.log(sink); // keep the results alive

  const [sl, fm, slp, fmp] = samples.map(median) as [number, number, number, number];
  const result = { sidelightNsPerOp: sl, findMyWayNsPerOp: fm, ratio: sl / fm };

  const row = (name: string, a: number, b: number): string =>
    `${name.padEnd(18)}${a.toFixed(1).padStart(14)}${b.toFixed(1).padStart(16)}${(a / b).toFixed(2).padStart(8)}`;
  console.log(
    `router: ${table.routes.length} routes, ${lookups.length} lookups ` +
      `(hits: ${kinds.static} static, ${kinds.param} param, ${kinds.regex} regex, ${kinds.wildcard} wildcard; ` +
      `${kinds.miss} misses), ` +
      `median of ${rounds} rounds x ${passes} passes`,
  );
  console.log(
    `${'ns/lookup'.padEnd(18)}${'sidelight'.padStart(14)}${'find-my-way'.padStart(16)}${'ratio'.padStart(8)}`,
  );
  console.log(row('find', sl, fm));
  console.log(row('normalize + find', slp, fmp));
  console.log(
    `budget: find ratio <= ${ROUTER_BUDGET} -> ${result.ratio <= ROUTER_BUDGET ? 'ok' : 'OVER BUDGET'}`,
  );
  return result;
}

if (import.meta.main) {
  const result = await runRouterBench({ quick: process.argv.includes('--quick') });
  if (result.ratio > ROUTER_BUDGET) process.exitCode = 1;
}
