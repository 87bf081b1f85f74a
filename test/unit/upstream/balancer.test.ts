/**
 * WeightedRoundRobin: smooth weighted round-robin (nginx). Over one cycle of
 * total-weight picks every endpoint is chosen exactly weight times, and a
 * heavy endpoint is interleaved rather than picked in a burst.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeightedRoundRobin } from '../../../src/upstream/balancer.ts';

const ep = (name: string, weight: number) => ({ name, weight });

describe('WeightedRoundRobin', () => {
  it('spreads 5:1:1 as a a b a c a a', () => {
    const rr = new WeightedRoundRobin([ep('a', 5), ep('b', 1), ep('c', 1)]);
    const seq = Array.from({ length: 14 }, () => rr.pick().name).join(' ');
    expect(seq).toBe('a a b a c a a a a b a c a a');
  });

  it('always picks the only endpoint', () => {
    const only = ep('x', 3);
    const rr = new WeightedRoundRobin([only]);
    for (let i = 0; i < 5; i++) expect(rr.pick()).toBe(only);
  });

  it('refuses an empty endpoint list', () => {
    expect(() => new WeightedRoundRobin([])).toThrow(/at least one endpoint/);
  });

  it('picks every endpoint exactly weight times per cycle of total weight', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), (weights) => {
        const eps = weights.map((w, i) => ep(String(i), w));
        const rr = new WeightedRoundRobin(eps);
        const total = weights.reduce((a, b) => a + b, 0);
        for (let cycle = 0; cycle < 2; cycle++) {
          const counts = new Map<string, number>();
          for (let i = 0; i < total; i++) {
            const e = rr.pick();
            counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
          }
          for (const e of eps) expect(counts.get(e.name) ?? 0).toBe(e.weight);
        }
      }),
    );
  });
});
