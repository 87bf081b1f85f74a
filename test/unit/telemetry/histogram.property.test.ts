/**
 * FastHistogram against a naive reference: for random bucket bounds and
 * random observations, the exposition's cumulative buckets, sum and count are
 * what counting by hand gives. Read through the prom-client Registry it plugs
 * into, i.e. what `/metrics` serves.
 */
import fc from 'fast-check';
import { Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../../src/telemetry/histogram.ts';
import { parseExposition, type Sample } from '../../helpers/prometheus.ts';

let seq = 0;

function histogram(buckets: readonly number[]) {
  const registry = new Registry<RegistryContentType>();
  const h = new FastHistogram({
    name: `h${seq++}_seconds`,
    help: 'test',
    labelNames: ['route'] as const,
    buckets,
    registers: [registry],
  });
  return { registry, h };
}

/** What a Prometheus histogram must expose for `values` (le is inclusive). */
function reference(buckets: readonly number[], values: readonly number[]) {
  const sorted = [...buckets].sort((a, b) => a - b);
  let sum = 0;
  for (const v of values) sum += v;
  return {
    buckets: [
      ...sorted.map((le) => ({ le, count: values.filter((v) => v <= le).length })),
      { le: Number.POSITIVE_INFINITY, count: values.length },
    ],
    sum,
    count: values.length,
  };
}

function exposed(samples: Sample[], name: string, route: string) {
  const mine = samples.filter((s) => s.labels.route === route);
  return {
    buckets: mine
      .filter((s) => s.name === `${name}_bucket`)
      .map((s) => ({
        le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le),
        count: s.value,
      })),
    sum: mine.find((s) => s.name === `${name}_sum`)?.value,
    count: mine.find((s) => s.name === `${name}_count`)?.value,
  };
}

const bounds = fc.uniqueArray(fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true }), {
  minLength: 1,
  maxLength: 12,
  comparator: (a, b) => a === b,
});

describe('FastHistogram against a naive reference', () => {
  it('exposes cumulative buckets, sum and count as counted by hand, per series', async () => {
    await fc.assert(
      fc.asyncProperty(
        bounds.chain((b) =>
          fc.tuple(
            fc.constant(b),
            // Values on the bounds themselves, between them and outside them.
            fc.array(
              fc.oneof(
                fc.constantFrom(...b),
                fc.double({ min: -10, max: 200, noNaN: true, noDefaultInfinity: true }),
              ),
              { maxLength: 60 },
            ),
            fc.array(fc.double({ min: 0, max: 200, noNaN: true, noDefaultInfinity: true }), {
              maxLength: 20,
            }),
          ),
        ),
        async ([buckets, a, b]) => {
          const { registry, h } = histogram(buckets);
          const sa = h.series('a', () => ({ route: 'a' }));
          const sb = h.series('b', () => ({ route: 'b' }));
          for (const v of a) h.observe(sa, v);
          for (const v of b) h.observe(sb, v);
          // The same key gives the same series: observations accumulate.
          expect(h.series('a', () => ({ route: 'other' }))).toBe(sa);
          const samples = parseExposition(await registry.metrics());
          expect(exposed(samples, h.name, 'a')).toEqual(reference(buckets, a));
          expect(exposed(samples, h.name, 'b')).toEqual(reference(buckets, b));
        },
      ),
    );
  });

  it('keeps the latest exemplar per bucket in the OpenMetrics exposition', async () => {
    const { registry, h } = histogram([0.1, 1]);
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const s = h.series('r', () => ({ route: 'r' }));
    h.observe(s, 0.05, { trace_id: 't1', span_id: 's1' });
    h.observe(s, 0.07, { trace_id: 't2', span_id: 's2' });
    h.observe(s, 5);
    const samples = parseExposition(await registry.metrics());
    const bucket = (le: string) => samples.find((x) => x.name === `${h.name}_bucket` && x.labels.le === le)!;
    expect(bucket('0.1').exemplar).toEqual({ trace_id: 't2', span_id: 's2' });
    expect(bucket('1').exemplar).toBeUndefined();
    expect(bucket('+Inf').exemplar).toBeUndefined();
    expect(bucket('+Inf').value).toBe(3);
  });

  it('forgets every series on reset', async () => {
    const { registry, h } = histogram([1]);
    h.observe(
      h.series('r', () => ({ route: 'r' })),
      0.5,
    );
    h.reset();
    const samples = parseExposition(await registry.metrics());
    expect(samples.filter((s) => s.name.startsWith(h.name))).toEqual([]);
  });
});
