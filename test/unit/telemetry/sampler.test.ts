/**
 * The sampling decision (sampler.ts): parent-based with the route's ratio for
 * root traces, the same decision for the same trace id every time, and the
 * standard OTEL_TRACES_SAMPLER values when that variable is set.
 */
import { randomBytes } from 'node:crypto';
import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, SamplingDecider, samplingPolicyFromEnv } from '../../../src/telemetry/sampler.ts';

const traceIds = Array.from({ length: 4000 }, () => randomBytes(16).toString('hex'));

function sampledShare(d: SamplingDecider, ratio: number, parent?: SpanContext): number {
  let n = 0;
  for (const id of traceIds) if (d.sampled(parent, id, ratio)) n++;
  return n / traceIds.length;
}

const parent = (sampled: boolean): SpanContext => ({
  traceId: traceIds[0]!,
  spanId: '00f067aa0ba902b7',
  traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  isRemote: true,
});

describe('SamplingDecider, default policy', () => {
  const d = new SamplingDecider(DEFAULT_POLICY);

  it("applies the route's ratio to root traces", () => {
    expect(sampledShare(d, 0)).toBe(0);
    expect(sampledShare(d, 1)).toBe(1);
    const quarter = sampledShare(d, 0.25);
    // 4,000 random trace ids: 0.25 ± 0.05 is more than 7 standard deviations.
    expect(quarter).toBeGreaterThan(0.2);
    expect(quarter).toBeLessThan(0.3);
  });

  it('decides the same way for the same trace id every time', () => {
    for (const id of traceIds.slice(0, 200))
      expect(d.sampled(undefined, id, 0.5)).toBe(d.sampled(undefined, id, 0.5));
  });

  it('follows a sampled parent even when the route samples nothing, and an unsampled one always', () => {
    expect(sampledShare(d, 0, parent(true))).toBe(1);
    expect(sampledShare(d, 1, parent(false))).toBe(0);
  });
});

describe('OTEL_TRACES_SAMPLER', () => {
  const decider = (env: NodeJS.ProcessEnv) => new SamplingDecider(samplingPolicyFromEnv(env));

  it('always_on and always_off ignore the parent and the route', () => {
    expect(sampledShare(decider({ OTEL_TRACES_SAMPLER: 'always_on' }), 0, parent(false))).toBe(1);
    expect(sampledShare(decider({ OTEL_TRACES_SAMPLER: 'always_off' }), 1, parent(true))).toBe(0);
  });

  it('parentbased_traceidratio uses its argument for roots and the parent otherwise', () => {
    const d = decider({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    expect(sampledShare(d, 1)).toBe(0);
    expect(sampledShare(d, 1, parent(true))).toBe(1);
  });

  it('traceidratio ignores the parent', () => {
    const d = decider({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    expect(sampledShare(d, 1, parent(true))).toBe(0);
  });

  it('falls back to the default policy, and says so, for a sampler it does not know', () => {
    const p = samplingPolicyFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
    expect(p.root).toBe('route');
    expect(p.parentBased).toBe(true);
    expect(p.description).toContain('unsupported jaeger_remote');
  });
});
