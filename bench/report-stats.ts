/**
 * Statistics over benchmark rounds: median, min/max spread, the per-scenario
 * summaries of a contender and the throughput ratios between contenders.
 * Pure functions: no I/O.
 */
import type { ContenderResult, ScenarioResults, Summary } from './report-types.ts';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function summarize(xs: number[]): Summary | undefined {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return undefined;
  const med = median(v);
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { median: med, min, max, spreadPct: med ? ((max - min) / med) * 100 : 0, n: v.length };
}

/** Fill the Summary fields of a contender from its samples (errored samples excluded). */
export function summarizeScenarios(r: ScenarioResults): void {
  const cl = r.closedLoop.samples.filter((s) => !s.error);
  r.closedLoop.rps = summarize(cl.map((s) => s.rps));
  r.closedLoop.p99Ms = summarize(cl.map((s) => s.p99Ms));
  r.closedLoop.cpuUsPerReq = summarize(
    cl.flatMap((s) => (s.cpuUsPerReq === undefined ? [] : [s.cpuUsPerReq])),
  );
  const fr = r.fixedRate.samples.filter((s) => !s.error);
  r.fixedRate.p50Us = summarize(fr.map((s) => s.p50Us));
  r.fixedRate.p99Us = summarize(fr.map((s) => s.p99Us));
  r.fixedRate.p999Us = summarize(fr.map((s) => s.p999Us));
  const added = fr.flatMap((s) => (s.added ? [s.added] : []));
  const a50 = summarize(added.map((a) => a.p50Us));
  const a99 = summarize(added.map((a) => a.p99Us));
  const a999 = summarize(added.map((a) => a.p999Us));
  r.fixedRate.added = a50 && a99 && a999 ? { p50Us: a50, p99Us: a99, p999Us: a999 } : undefined;
  const st = r.streaming.samples.filter((s) => !s.error);
  r.streaming.rps = summarize(st.map((s) => s.rps));
  r.streaming.mibPerSec = summarize(st.map((s) => s.mibPerSec));
}

export function computeRatios(contenders: ContenderResult[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  const by = new Map(contenders.map((c) => [c.name, c]));
  const bare = by.get('bare-reference');
  for (const c of contenders) {
    if (!bare || c === bare) continue;
    const a = c.closedLoop.rps?.median;
    const b = bare.closedLoop.rps?.median;
    if (a && b) ratios[`${c.name}/bare-reference`] = round(a / b, 3);
    const sa = c.streaming.mibPerSec?.median;
    const sb = bare.streaming.mibPerSec?.median;
    if (sa && sb) ratios[`${c.name}/bare-reference (1 MiB)`] = round(sa / sb, 3);
  }
  const pairs: [string, string][] = [
    ['sidelight-default', 'caddy'],
    ['sidelight-full', 'fastify-http-proxy'],
    ['sidelight-full', 'sidelight-default'],
  ];
  for (const [x, y] of pairs) {
    const a = by.get(x)?.closedLoop.rps?.median;
    const b = by.get(y)?.closedLoop.rps?.median;
    if (a && b) ratios[`${x}/${y}`] = round(a / b, 3);
  }
  return ratios;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
