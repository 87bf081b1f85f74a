/**
 * Endpoint selection: smooth weighted round-robin (the nginx algorithm), so a
 * 5:1:1 weighting yields a a b a c a a rather than bursts. Health and
 * ejection plug in here later by excluding endpoints from the candidate list.
 */

export interface WeightedEndpoint {
  readonly weight: number;
}

export class WeightedRoundRobin<E extends WeightedEndpoint> {
  readonly #endpoints: readonly E[];
  readonly #current: number[];
  readonly #total: number;

  constructor(endpoints: readonly E[]) {
    if (endpoints.length === 0) throw new Error('WeightedRoundRobin needs at least one endpoint');
    this.#endpoints = endpoints;
    this.#current = endpoints.map(() => 0);
    this.#total = endpoints.reduce((sum, e) => sum + e.weight, 0);
  }

  pick(): E {
    const eps = this.#endpoints;
    if (eps.length === 1) return eps[0]!;
    let best = 0;
    for (let i = 0; i < eps.length; i++) {
      this.#current[i]! += eps[i]!.weight;
      if (this.#current[i]! > this.#current[best]!) best = i;
    }
    this.#current[best]! -= this.#total;
    return eps[best]!;
  }
}
