/** Percentiles and per-second series of a run's samples. */
import type { RequestSample } from './http-driver.ts';

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const s = Float64Array.from(latenciesMs).sort();
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    count: s.length,
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? Number.NaN),
  };
}

export interface IntervalPoint {
  /** Second of the run (by intended start). */
  second: number;
  requests: number;
  failed: number;
  p50: number;
  p90: number;
  p99: number;
}

/** One point per second of intended start time. */
export function perSecond(samples: readonly RequestSample[], durationSeconds: number): IntervalPoint[] {
  const buckets: number[][] = Array.from({ length: Math.max(1, Math.ceil(durationSeconds)) }, () => []);
  const failed = new Array<number>(buckets.length).fill(0);
  for (const s of samples) {
    const i = Math.min(buckets.length - 1, Math.max(0, Math.floor(s.t)));
    buckets[i]!.push(s.latencyMs);
    if (s.failed) failed[i]!++;
  }
  return buckets.map((b, second) => {
    const sum = summarize(b);
    return { second, requests: b.length, failed: failed[second]!, p50: sum.p50, p90: sum.p90, p99: sum.p99 };
  });
}
