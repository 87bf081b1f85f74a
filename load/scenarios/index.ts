/**
 * The scenario registry. Adding a scenario: write `sNN-name.ts` exporting its
 * `ScenarioDefinition`, add it to this list, and add `load/k6/SNN-name.ts`
 * (load/README.md, "Adding a scenario"); a test fails if one of the three is missing.
 */
import { s01 } from './s01-steady-baseline.ts';
import { s02 } from './s02-flash-sale-spike.ts';
import { s03 } from './s03-payment-callback-storm.ts';
import { s04 } from './s04-profile-aggregate.ts';
import { s05 } from './s05-feed-refresh.ts';
import { s06 } from './s06-coupon-redeem.ts';
import { s07 } from './s07-large-transfer.ts';
import { s08 } from './s08-connection-churn.ts';
import { s09 } from './s09-tls-sni-handshakes.ts';
import { s10 } from './s10-upstream-degradation.ts';
import { s11 } from './s11-hot-reload-under-load.ts';
import { s12 } from './s12-grpc-and-grpc-web.ts';
import type { ScenarioDefinition } from './types.ts';

export const SCENARIOS: readonly ScenarioDefinition[] = [
  s01,
  s02,
  s03,
  s04,
  s05,
  s06,
  s07,
  s08,
  s09,
  s10,
  s11,
  s12,
];

/** The definition for `id` (case-insensitive), or undefined. */
export function findScenario(id: string): ScenarioDefinition | undefined {
  const want = id.toUpperCase();
  return SCENARIOS.find((s) => s.id === want);
}
