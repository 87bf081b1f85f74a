/**
 * The shape of one load scenario (../shared/SCENARIOS.md): traffic, thresholds
 * and the Sidelight config it runs against. One definition feeds both the k6
 * script (load/k6/) and the local runner (load/runner/), so nothing is written
 * twice. Definitions are plain data plus pure functions: k6's runtime (no Node
 * APIs) imports them as well as Node does.
 */
import type { ConfigInput } from '../../src/config/schema.ts';

/** How iterations are started (names as k6's executors). */
export type Executor =
  | {
      /** Open model: `rate` iterations per second whatever the latency (no coordinated omission). */
      readonly kind: 'constant-arrival-rate';
      readonly rate: number;
      readonly durationSeconds: number;
      /** k6 only: VUs allocated up front and at most. */
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
    }
  | {
      /** Open model with a rate that moves linearly to each stage's target. */
      readonly kind: 'ramping-arrival-rate';
      readonly startRate: number;
      readonly stages: readonly { readonly durationSeconds: number; readonly target: number }[];
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
    }
  | {
      /** Closed model: `vus` loops back to back (a scenario about concurrency, e.g. S07). */
      readonly kind: 'constant-vus';
      readonly vus: number;
      readonly durationSeconds: number;
    };

/** One HTTP request of an iteration. `{id}` in the path is replaced per iteration. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with placeholders: `{id}` (1..idRange), `{code}` (coupon code), `{gen}` (reload generation). */
  readonly path: string;
  /** The route template it should match: the k6 `name` tag and the `http_route` label. */
  readonly route: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body: none, a literal string, or `bytes` of generated payload. */
  readonly body?:
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'bytes'; readonly bytes: number };
  /** Statuses that count as expected (not an error). Default: 200..299. */
  readonly expectedStatuses?: readonly number[];
}

/** A pass/fail criterion, written once for k6's `thresholds` and the runner's verdict. */
export interface Threshold {
  /** k6 metric name; `sidelight_*` metrics are read from Sidelight's /metrics by the runner only. */
  readonly metric:
    | 'http_req_failed'
    | 'http_req_duration'
    | 'iteration_duration'
    | 'sidelight_phase_route_duration'
    | 'sidelight_rss_growth_mb'
    | 'sidelight_reloads_missed';
  /** `rate` (0..1) for http_req_failed, `p(N)` for durations (ms), `value` for the sidelight ones. */
  readonly stat: 'rate' | 'value' | `p(${number})`;
  readonly op: '<' | '<=' | '==';
  readonly value: number;
  /** Environment variable that overrides `value` (k6 `__ENV`, runner `process.env`). */
  readonly env?: string;
  readonly description: string;
}

/** A run of the same traffic beside the main one (see `ScenarioDefinition.variants`). */
export interface Variant {
  readonly label: string;
  /** Skip Sidelight and send to the upstream itself. */
  readonly direct?: boolean;
  /** Replaces the definition's `telemetry` settings. */
  readonly telemetry?: ConfigInput['telemetry'];
}

/** A capability Sidelight does not have yet: the runner refuses the scenario with this line. */
export interface Requirement {
  readonly capability: string;
  readonly issue: number;
}

export interface ScenarioDefinition {
  /** `S01` .. `S12`; lower-case it is the `testid` tag. */
  readonly id: string;
  /** kebab-case; the k6 scenario name and the `scenario` tag. */
  readonly name: string;
  readonly traffic: string;
  readonly exercises: string;
  readonly executor: Executor;
  /** Requests of one iteration; `parallel` sends them together (k6 `http.batch`). */
  readonly iteration: { readonly parallel: boolean; readonly requests: readonly RequestSpec[] };
  /** Iteration `{id}` values are drawn from 1..idRange. */
  readonly idRange: number;
  readonly thresholds: readonly Threshold[];
  /** What the report states besides the thresholds (e.g. added latency vs direct upstream). */
  readonly reports: readonly string[];
  /**
   * The Sidelight config it runs against. Listen addresses and the upstream
   * endpoints are replaced by the runner (port 0, the demo service).
   */
  readonly sidelight: ConfigInput;
  /**
   * Further runs of the same traffic, reported beside the main one: straight to
   * the upstream (`direct`, for added latency or throughput) or with other
   * telemetry settings (S05's 1% sampling).
   */
  readonly variants?: readonly Variant[];
  /** S11: rewrite the config file this often, each time a new valid generation. */
  readonly reload?: { readonly everySeconds: number };
  /** Set while Sidelight lacks what the scenario needs; the runner refuses it. */
  readonly requires?: Requirement;
}

/** The one line the runner prints when it refuses a scenario. */
export function refusal(def: ScenarioDefinition): string | undefined {
  if (def.requires === undefined) return undefined;
  return `${def.id} needs ${def.requires.capability} (issue #${def.requires.issue})`;
}

/** Placeholder upstream in definitions; the runner and k6 users point Sidelight at the real one. */
export const DEMO_UPSTREAM = 'http://127.0.0.1:3000';
