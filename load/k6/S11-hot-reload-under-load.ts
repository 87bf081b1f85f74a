/**
 * S11 hot-reload-under-load: steady GETs while the config file is rewritten every 2 s by\n * `node load/runner/config-rewriter.ts --file <sidelight config> --every 2` (k6 cannot write files).
 * Traffic, rates and thresholds come from the shared definition
 * (load/scenarios/s11-hot-reload-under-load.ts); see load/README.md for the environment variables.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 load/k6/S11-hot-reload-under-load.ts
 */
import { s11 } from '../scenarios/s11-hot-reload-under-load.ts';
import { iteration, summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s11, __ENV);

export default function (): void {
  iteration(s11);
}

export const handleSummary = summaryWriter(s11);
