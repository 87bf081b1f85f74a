/** Issue #10 item 6: a NaN observation is refused, not summed (it would poison `_sum` for good). */
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../../src/telemetry/histogram.ts';

describe('FastHistogram', () => {
  it('refuses NaN and keeps sum, count and buckets as they were', async () => {
    const registry = new client.Registry();
    const h = new FastHistogram({
      name: 'x_seconds',
      help: 'x',
      labelNames: ['a'],
      buckets: [1, 2],
      registers: [registry],
    });
    const s = h.series('k', () => ({ a: 'k' }));
    expect(h.observe(s, 1.5)).toBe(true);
    expect(h.observe(s, Number.NaN)).toBe(false);
    expect(s.count).toBe(1);
    expect(s.sum).toBe(1.5);
    expect([...s.counts]).toEqual([0, 1, 0]);
    const text = await registry.metrics();
    expect(text).toContain('x_seconds_sum{a="k"} 1.5');
    expect(text).not.toContain('NaN');
  });
});
