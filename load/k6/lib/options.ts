/**
 * k6 `options` from a scenario definition, with every rate, duration, VU
 * count and threshold overridable by environment variable (`__ENV`). Pure
 * (no k6 modules), so the agreement test runs it under Node too.
 *
 * Variables: RATE, DURATION (`60s` or seconds), PRE_VUS, MAX_VUS, VUS,
 * START_RATE, PEAK_RATE (scales every stage target so the highest is this),
 * STAGES (`10s:2000,30s:2000,5s:0`), TESTID, and each threshold's own `env`
 * (e.g. P99_BUDGET_MS).
 */
import type { Options, Scenario } from 'k6/options';
import type { ScenarioDefinition, Threshold } from '../../scenarios/types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

function num(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw}: expected a non-negative number`);
  return n;
}

/** `90`, `90s`, `2m` -> k6 duration string. */
function dur(env: Env, name: string, fallbackSeconds: number): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return `${fallbackSeconds}s`;
  if (/^\d+(\.\d+)?$/.test(raw)) return `${raw}s`;
  if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(raw)) return raw;
  throw new Error(`${name}=${raw}: expected a duration such as 30s or 2m`);
}

function stages(def: ScenarioDefinition, env: Env): { duration: string; target: number }[] {
  const ex = def.executor;
  if (ex.kind !== 'ramping-arrival-rate') return [];
  const raw = env.STAGES;
  const base =
    raw === undefined || raw === ''
      ? ex.stages.map((s) => ({ duration: `${s.durationSeconds}s`, target: s.target }))
      : raw.split(',').map((part) => {
          const m = /^\s*(\d+(?:\.\d+)?(?:ms|s|m|h))\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
          if (m === null) throw new Error(`STAGES: "${part}" is not duration:target (e.g. 10s:2000)`);
          return { duration: m[1]!, target: Number(m[2]) };
        });
  const peak = Math.max(...base.map((s) => s.target));
  const want = num(env, 'PEAK_RATE', peak);
  const k = peak > 0 ? want / peak : 1;
  return base.map((s) => ({ duration: s.duration, target: Math.round(s.target * k) }));
}

/** The k6 scenario for the definition's executor. */
export function k6Scenario(def: ScenarioDefinition, env: Env): Scenario {
  const ex = def.executor;
  const common = { exec: 'default', tags: { testid: testId(def, env) } };
  switch (ex.kind) {
    case 'constant-arrival-rate':
      return {
        ...common,
        executor: 'constant-arrival-rate',
        rate: num(env, 'RATE', ex.rate),
        timeUnit: '1s',
        duration: dur(env, 'DURATION', ex.durationSeconds),
        preAllocatedVUs: num(env, 'PRE_VUS', ex.preAllocatedVUs),
        maxVUs: num(env, 'MAX_VUS', ex.maxVUs),
      };
    case 'ramping-arrival-rate':
      return {
        ...common,
        executor: 'ramping-arrival-rate',
        startRate: num(env, 'START_RATE', ex.startRate),
        timeUnit: '1s',
        stages: stages(def, env),
        preAllocatedVUs: num(env, 'PRE_VUS', ex.preAllocatedVUs),
        maxVUs: num(env, 'MAX_VUS', ex.maxVUs),
      };
    case 'constant-vus':
      return {
        ...common,
        executor: 'constant-vus',
        vus: num(env, 'VUS', ex.vus),
        duration: dur(env, 'DURATION', ex.durationSeconds),
      };
  }
}

/** `s01` unless TESTID is set: the label the Load tests dashboard filters on. */
export function testId(def: ScenarioDefinition, env: Env): string {
  return env.TESTID || def.id.toLowerCase();
}

/** Thresholds k6 can evaluate itself; the `sidelight_*` ones come from Sidelight's /metrics (runner only). */
export function clientThresholds(def: ScenarioDefinition): Threshold[] {
  return def.thresholds.filter((t) => !t.metric.startsWith('sidelight_'));
}

export function k6Thresholds(def: ScenarioDefinition, env: Env): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of clientThresholds(def)) {
    const raw = t.env === undefined ? undefined : env[t.env];
    const value = raw !== undefined && raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : t.value;
    const list = out[t.metric] ?? [];
    list.push(`${t.stat}${t.op}${value}`);
    out[t.metric] = list;
  }
  return out;
}

export function k6Options(def: ScenarioDefinition, env: Env): Options {
  return {
    scenarios: { [def.name]: k6Scenario(def, env) },
    thresholds: k6Thresholds(def, env),
    tags: { testid: testId(def, env) },
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
    discardResponseBodies: true,
  };
}
