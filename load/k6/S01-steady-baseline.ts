/**
 * S01 steady-baseline: GET /api/items/:id at a constant arrival rate.
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s01-steady-baseline.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S01-steady-baseline.ts
 */
import { s01 } from '../scenarios/s01-steady-baseline.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s01, __ENV);

export default function (): void {
  iteration(s01);
}

export const handleSummary = summaryWriter(s01);
