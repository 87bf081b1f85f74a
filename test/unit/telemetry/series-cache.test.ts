/**
 * SeriesCache: label values to a histogram series, through the histogram's
 * exposition. The same values reach the same series; different values (in
 * any position) reach different ones, each labelled in label order.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../../src/telemetry/histogram.ts';
import { SeriesCache } from '../../../src/telemetry/series-cache.ts';
import { parseExposition } from '../../helpers/prometheus.ts';

function setup<L extends string>(labelNames: readonly L[]) {
  const registry = new Registry();
  const h = new FastHistogram({
    name: 'x_seconds',
    help: 'test',
    labelNames,
    buckets: [1],
    registers: [registry],
  });
  return { registry, h, cache: new SeriesCache(h) };
}

async function counts(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of parseExposition(await registry.metrics())) {
    if (s.name !== 'x_seconds_count') continue;
    out[JSON.stringify(s.labels)] = s.value;
  }
  return out;
}

describe('SeriesCache', () => {
  it('resolves four label values to one series per distinct tuple, labelled in order', async () => {
    const { registry, h, cache } = setup(['method', 'route', 'status', 'error'] as const);
    const tuples: [string, string, number, string][] = [
      ['GET', '/a', 200, ''],
      ['GET', '/a', 200, ''],
      ['GET', '/a', 500, '500'],
      ['GET', '/b', 200, ''],
      ['POST', '/a', 200, ''],
      ['GET', '/a', 200, 'upstream_reset'],
    ];
    for (const t of tuples) h.observe(cache.get4(...t), 0.5);
    expect(cache.get4('GET', '/a', 200, '')).toBe(cache.get4('GET', '/a', 200, ''));
    expect(cache.get4('GET', '/a', 200, '')).not.toBe(cache.get4('GET', '/a', 201, ''));
    expect(await counts(registry)).toEqual({
      '{"method":"GET","route":"/a","status":"200","error":""}': 2,
      '{"method":"GET","route":"/a","status":"500","error":"500"}': 1,
      '{"method":"GET","route":"/b","status":"200","error":""}': 1,
      '{"method":"POST","route":"/a","status":"200","error":""}': 1,
      '{"method":"GET","route":"/a","status":"200","error":"upstream_reset"}': 1,
      // Resolved above without an observation: exposed at zero, like any created series.
      '{"method":"GET","route":"/a","status":"201","error":""}': 0,
    });
  });

  it('resolves two label values the same way', async () => {
    const { registry, h, cache } = setup(['phase', 'route'] as const);
    h.observe(cache.get2('route', '/a'), 0.1);
    h.observe(cache.get2('route', '/a'), 0.1);
    h.observe(cache.get2('upstream', '/a'), 0.1);
    expect(await counts(registry)).toEqual({
      '{"phase":"route","route":"/a"}': 2,
      '{"phase":"upstream","route":"/a"}': 1,
    });
  });

  it('refuses a label count that does not match the histogram', () => {
    const { cache } = setup(['phase', 'route'] as const);
    expect(() => cache.get4('a', 'b', 'c', 'd')).toThrow(/takes 2 labels/);
  });
});
