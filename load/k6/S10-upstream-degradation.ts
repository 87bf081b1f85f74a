/**
 * S10 upstream-degradation: GETs while one of three endpoints turns slow, fails, recovers\n * (the endpoint misbehaviour is driven outside k6).
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s10-upstream-degradation.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S10-upstream-degradation.ts
 */
import { s10 } from '../scenarios/s10-upstream-degradation.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s10, __ENV);

export default function (): void {
  iteration(s10);
}

export const handleSummary = summaryWriter(s10);
