/**
 * The sampler: a route's ratio travels in the context to the root sampler;
 * without one the default applies; an incoming decision always wins.
 */
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createSampler, ROOT_RATIO_KEY, RouteRatioSampler } from '../../../src/telemetry/sampler.ts';

const traceIds = Array.from({ length: 4000 }, () => randomBytes(16).toString('hex'));

function sampledShare(sampler: RouteRatioSampler | ReturnType<typeof createSampler>, ctx = ROOT_CONTEXT) {
  let n = 0;
  for (const id of traceIds) {
    const r = sampler.shouldSample(ctx, id, 'GET /x', SpanKind.SERVER, {}, []);
    if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) n++;
  }
  return n / traceIds.length;
}

function withParent(sampled: boolean) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceIds[0]!,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

describe('RouteRatioSampler', () => {
  it('uses the default ratio when the context carries none', () => {
    expect(sampledShare(new RouteRatioSampler(0))).toBe(0);
    expect(sampledShare(new RouteRatioSampler(1))).toBe(1);
  });

  it("uses the route's ratio from the context over the default", () => {
    const sampler = new RouteRatioSampler(1);
    expect(sampledShare(sampler, ROOT_CONTEXT.setValue(ROOT_RATIO_KEY, 0))).toBe(0);
    const half = sampledShare(sampler, ROOT_CONTEXT.setValue(ROOT_RATIO_KEY, 0.25));
    // 4,000 random trace ids: 0.25 ± 0.05 is more than 7 standard deviations.
    expect(half).toBeGreaterThan(0.2);
    expect(half).toBeLessThan(0.3);
  });

  it('decides the same way for the same trace id every time', () => {
    const sampler = new RouteRatioSampler(0.5);
    const ctx = ROOT_CONTEXT;
    for (const id of traceIds.slice(0, 200)) {
      const first = sampler.shouldSample(ctx, id, 'x', SpanKind.SERVER, {}, []).decision;
      expect(sampler.shouldSample(ctx, id, 'x', SpanKind.SERVER, {}, []).decision).toBe(first);
    }
  });
});

describe('createSampler (parent-based)', () => {
  it('follows a sampled parent even when the route samples nothing', () => {
    const ctx = withParent(true).setValue(ROOT_RATIO_KEY, 0);
    expect(sampledShare(createSampler(0), ctx)).toBe(1);
  });

  it('follows an unsampled parent even when the route samples everything', () => {
    const ctx = withParent(false).setValue(ROOT_RATIO_KEY, 1);
    expect(sampledShare(createSampler(1), ctx)).toBe(0);
  });

  it('applies the route ratio to a root span', () => {
    expect(sampledShare(createSampler(1), ROOT_CONTEXT.setValue(ROOT_RATIO_KEY, 0))).toBe(0);
    expect(sampledShare(createSampler(0), ROOT_CONTEXT.setValue(ROOT_RATIO_KEY, 1))).toBe(1);
  });
});
