/**
 * S07 large-transfer: 10 MiB downloads and uploads, 20 VUs. RSS growth: Telemetry health dashboard.
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s07-large-transfer.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S07-large-transfer.ts
 */
import { s07 } from '../scenarios/s07-large-transfer.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s07, __ENV);

export default function (): void {
  iteration(s07);
}

export const handleSummary = summaryWriter(s07);
