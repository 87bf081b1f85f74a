/**
 * Parent-based sampling with a per-route root ratio. The route is known only
 * after the route phase, so the SERVER span starts then (with the accept time
 * as its start) and carries the route's ratio in its parent context. An
 * incoming sampled or unsampled decision always wins (ParentBasedSampler).
 */
import {
  type Attributes,
  type Context,
  createContextKey,
  type Link,
  type SpanKind,
} from '@opentelemetry/api';
import {
  ParentBasedSampler,
  type Sampler,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/** Context key under which the route's root sampling ratio travels to the sampler. */
export const ROOT_RATIO_KEY = createContextKey('sidelight.root_ratio');

/** Root sampler: TraceIdRatio with the ratio found in the context (default otherwise). */
export class RouteRatioSampler implements Sampler {
  readonly #byRatio = new Map<number, TraceIdRatioBasedSampler>();
  readonly #default: number;

  constructor(defaultRatio: number) {
    this.#default = defaultRatio;
  }

  shouldSample(
    context: Context,
    traceId: string,
    _spanName: string,
    _spanKind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const value = context.getValue(ROOT_RATIO_KEY);
    const ratio = typeof value === 'number' ? value : this.#default;
    let sampler = this.#byRatio.get(ratio);
    if (sampler === undefined) {
      sampler = new TraceIdRatioBasedSampler(ratio);
      this.#byRatio.set(ratio, sampler);
    }
    return sampler.shouldSample(context, traceId);
  }

  toString(): string {
    return `RouteRatioSampler{default=${this.#default}}`;
  }
}

export function createSampler(defaultRatio: number): Sampler {
  return new ParentBasedSampler({ root: new RouteRatioSampler(defaultRatio) });
}
