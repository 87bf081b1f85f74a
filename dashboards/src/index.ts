/**
 * The dashboards Sidelight ships: one entry per dashboard, its JSON file name
 * under dashboards/json/ and its builder. `npm run dashboards` writes them;
 * test/unit/kit/dashboards-sync.test.ts fails when a file differs from its builder.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { loadTests } from './dashboards/load-tests.ts';
import { overview } from './dashboards/overview.ts';
import { phases } from './dashboards/phases.ts';
import { telemetryHealth } from './dashboards/telemetry-health.ts';
import { upstream } from './dashboards/upstream.ts';

export const DASHBOARDS: readonly { file: string; build: () => Dashboard }[] = [
  { file: 'overview.json', build: overview },
  { file: 'phases.json', build: phases },
  { file: 'upstream.json', build: upstream },
  { file: 'telemetry-health.json', build: telemetryHealth },
  { file: 'load-tests.json', build: loadTests },
];

/** The JSON text of a dashboard as committed (2-space indent, trailing newline). */
export function render(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
