/**
 * S04 profile-aggregate: 4 parallel GETs per iteration against the 5,000-route table.
 * The route-match phase p99 threshold is read from Sidelight (Phases dashboard, or the local runner).
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s04-profile-aggregate.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S04-profile-aggregate.ts
 */
import { s04 } from '../scenarios/s04-profile-aggregate.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s04, __ENV);

export default function (): void {
  iteration(s04);
}

export const handleSummary = summaryWriter(s04);
