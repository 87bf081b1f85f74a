/**
 * The sampling decision, made once per request by Sidelight itself when the
 * route is known (the route's ratio needs it), before any span exists. Only a
 * sampled request ever becomes SDK spans, so the SDK's own sampler is
 * AlwaysOn (sdk.ts) and this is the one place the decision lives.
 *
 * Default: parent-based (an incoming sampled or unsampled decision wins), and
 * for root traces the route's ratio (`routes[].telemetry.sampling`, else
 * `telemetry.sampling`) applied to the trace id exactly as the SDK's
 * TraceIdRatioBasedSampler does (it is used here), so every service that
 * shares the trace decides alike. `OTEL_TRACES_SAMPLER` (and `_ARG`), when
 * set, replaces this with the standard sampler it names; per-route ratios then
 * do not apply, as users of that variable expect.
 */
import { ROOT_CONTEXT, SamplingDecision, type SpanContext, TraceFlags } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

export interface SamplingPolicy {
  /** Whether a valid incoming parent decides. */
  readonly parentBased: boolean;
  /** Root traces: 'route' (the route's ratio), or a fixed ratio from the environment. */
  readonly root: 'route' | number;
  /** How the policy was chosen, for the start-up log. */
  readonly description: string;
}

export const DEFAULT_POLICY: SamplingPolicy = {
  parentBased: true,
  root: 'route',
  description: 'parentbased, route ratio',
};

function ratioArg(env: NodeJS.ProcessEnv): number {
  const v = Number(env.OTEL_TRACES_SAMPLER_ARG);
  return Number.isFinite(v) && v >= 0 && v <= 1 ? v : 1;
}

/** The policy from `OTEL_TRACES_SAMPLER`; unknown names fall back to the default (and say so). */
export function samplingPolicyFromEnv(env: NodeJS.ProcessEnv): SamplingPolicy {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  switch (name) {
    case '':
      return DEFAULT_POLICY;
    case 'always_on':
      return { parentBased: false, root: 1, description: name };
    case 'always_off':
      return { parentBased: false, root: 0, description: name };
    case 'traceidratio':
      return { parentBased: false, root: ratioArg(env), description: `${name} ${ratioArg(env)}` };
    case 'parentbased_always_on':
      return { parentBased: true, root: 1, description: name };
    case 'parentbased_always_off':
      return { parentBased: true, root: 0, description: name };
    case 'parentbased_traceidratio':
      return { parentBased: true, root: ratioArg(env), description: `${name} ${ratioArg(env)}` };
    default:
      return { ...DEFAULT_POLICY, description: `${DEFAULT_POLICY.description} (unsupported ${name})` };
  }
}

export class SamplingDecider {
  readonly policy: SamplingPolicy;
  readonly #byRatio = new Map<number, TraceIdRatioBasedSampler>();

  constructor(policy: SamplingPolicy) {
    this.policy = policy;
  }

  /** Whether the request whose trace is `traceId` (with `parent`, if valid) is sampled. */
  sampled(parent: SpanContext | undefined, traceId: string, routeRatio: number): boolean {
    const policy = this.policy;
    if (parent !== undefined && policy.parentBased) return (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
    const ratio = policy.root === 'route' ? routeRatio : policy.root;
    if (ratio >= 1) return true;
    if (ratio <= 0) return false;
    let sampler = this.#byRatio.get(ratio);
    if (sampler === undefined) {
      sampler = new TraceIdRatioBasedSampler(ratio);
      if (this.#byRatio.size < 64) this.#byRatio.set(ratio, sampler);
    }
    return sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
  }
}
