/**
 * S02 flash-sale-spike: POST /api/orders ramping 0 -> peak in 10 s, hold, drop (429 is expected).
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s02-flash-sale-spike.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S02-flash-sale-spike.ts
 */
import { s02 } from '../scenarios/s02-flash-sale-spike.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s02, __ENV);

export default function (): void {
  iteration(s02);
}

export const handleSummary = summaryWriter(s02);
