/**
 * S05 feed-refresh: GET /feed (~64 KB). Run it twice, against Sidelight at 100% and at 1%
 * sampling (TESTID=s05-100 / s05-1), and compare throughput per Sidelight CPU-second.
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s05-feed-refresh.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S05-feed-refresh.ts
 */
import { s05 } from '../scenarios/s05-feed-refresh.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s05, __ENV);

export default function (): void {
  iteration(s05);
}

export const handleSummary = summaryWriter(s05);
