/**
 * S06 coupon-redeem: per-user sliding window in Redis; restart Redis mid-run from outside
 * (e.g. `docker compose restart redis`) and watch the configured fail mode.
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s06-coupon-redeem.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S06-coupon-redeem.ts
 */
import { s06 } from '../scenarios/s06-coupon-redeem.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s06, __ENV);

export default function (): void {
  iteration(s06);
}

export const handleSummary = summaryWriter(s06);
