/** Turns a definition's thresholds into pass/fail verdicts for one run. */
import type { ScenarioDefinition, Threshold } from '../scenarios/types.ts';
import type { DriveResult } from './http-driver.ts';
import { histogramQuantile, type MetricsSnapshot } from './sidelight-metrics.ts';
import { percentile } from './stats.ts';

export interface Verdict {
  name: string;
  pass: boolean;
  detail: string;
}

/** What a run measured besides the client samples. */
export interface RunObservations {
  /** This run's share of Sidelight's metrics; undefined without an admin URL. */
  sidelight: MetricsSnapshot | undefined;
  /** Peak RSS during the run minus RSS before it, bytes. */
  rssGrowthBytes: number | undefined;
  /** S11: config files written during the run. */
  rewrites: number;
}

/** The threshold's value, or the environment variable that overrides it. */
export function thresholdValue(t: Threshold, env: Record<string, string | undefined>): number {
  const raw = t.env === undefined ? undefined : env[t.env];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : t.value;
}

/** k6 spelling: `http_req_duration: p(99)<50`. */
export function thresholdName(t: Threshold, value = t.value): string {
  return `${t.metric}: ${t.stat}${t.op}${value}`;
}

function compare(actual: number, op: Threshold['op'], limit: number): boolean {
  if (Number.isNaN(actual)) return false;
  if (op === '<') return actual < limit;
  if (op === '<=') return actual <= limit;
  return actual === limit;
}

function pct(stat: Threshold['stat']): number {
  const m = /^p\(([\d.]+)\)$/.exec(stat);
  if (m === null) throw new Error(`stat ${stat} is not a percentile`);
  return Number(m[1]);
}

function measured(
  t: Threshold,
  run: DriveResult,
  obs: RunObservations,
): { value: number; unit: string; note?: string } {
  switch (t.metric) {
    case 'http_req_failed': {
      const failed = run.requests.filter((r) => r.failed).length;
      return {
        value: run.requests.length ? failed / run.requests.length : Number.NaN,
        unit: '',
        note: `${failed} of ${run.requests.length} failed`,
      };
    }
    case 'http_req_duration':
      return {
        value: percentile(Float64Array.from(run.requests, (r) => r.latencyMs).sort(), pct(t.stat)),
        unit: 'ms',
      };
    case 'iteration_duration':
      return {
        value: percentile(Float64Array.from(run.iterations, (r) => r.latencyMs).sort(), pct(t.stat)),
        unit: 'ms',
      };
    case 'sidelight_phase_route_duration': {
      const h = obs.sidelight?.phases.route;
      if (h === undefined)
        return { value: Number.NaN, unit: 'ms', note: 'no route phase data (no admin URL?)' };
      return {
        value: histogramQuantile(pct(t.stat) / 100, h) * 1000,
        unit: 'ms',
        note: `${h.count} observations`,
      };
    }
    case 'sidelight_rss_growth_mb':
      if (obs.rssGrowthBytes === undefined)
        return { value: Number.NaN, unit: 'MB', note: 'no RSS data (no admin URL?)' };
      return { value: obs.rssGrowthBytes / 1e6, unit: 'MB' };
    case 'sidelight_reloads_missed': {
      const applied = obs.sidelight?.reloadsApplied;
      if (applied === undefined)
        return { value: Number.NaN, unit: '', note: 'no reload counter (no admin URL?)' };
      return {
        value: obs.rewrites - applied,
        unit: '',
        note: `${obs.rewrites} rewrites, ${applied} applied, ${obs.sidelight?.reloadsRejected ?? 0} rejected, generation ${obs.sidelight?.generation}`,
      };
    }
  }
}

export function evaluate(
  def: ScenarioDefinition,
  run: DriveResult,
  obs: RunObservations,
  env: Record<string, string | undefined>,
): Verdict[] {
  return def.thresholds.map((t) => {
    const limit = thresholdValue(t, env);
    const m = measured(t, run, obs);
    const shown = Number.isNaN(m.value) ? 'n/a' : `${Math.round(m.value * 1000) / 1000}${m.unit}`;
    const pass = compare(m.value, t.op, limit);
    return {
      name: thresholdName(t, limit),
      pass,
      detail: `${t.description}: ${shown} (limit ${t.op} ${limit}${m.unit})${m.note ? `; ${m.note}` : ''}`,
    };
  });
}
