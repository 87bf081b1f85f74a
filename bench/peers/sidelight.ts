/**
 * The Sidelight contenders: the real sidecar (src/main.ts) with a JSON config
 * file, exporting to the local OTLP sink.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIDECAR_ENV } from '../../src/cli/sidecar-settings.ts';
import { freePort, makeTempDir, spawnTracked, waitForPort } from '../procs.ts';
import { wrapped } from './node-script.ts';
import type { Contender } from './types.ts';

export interface SidelightOptions {
  /** OTLP/HTTP base URL (the sink). */
  otlpEndpoint: () => string | undefined;
  /** Node flags (default: SIDECAR_NODE_FLAGS, as the launchers use). */
  nodeFlags: string[];
}

export const SIDELIGHT_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function sidelight(name: string, telemetry: Record<string, unknown>, opts: SidelightOptions): Contender {
  return {
    name,
    kind: 'sidelight',
    unavailable: () => undefined, // a missing src/main.ts is a start failure, not a skip
    wrappable: true,
    async start({ upstream, port, core, wrap }) {
      const dir = makeTempDir(name);
      const adminPort = await freePort();
      const listen = `127.0.0.1:${port}`;
      const admin = `127.0.0.1:${adminPort}`;
      const config = {
        upstream: { endpoints: [{ url: upstream }] },
        listen,
        admin: { listen: admin },
        telemetry,
      };
      const file = join(dir, 'sidelight.json');
      writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
      // The process settings the launchers use (bin/sidelight.js, npm start).
      const env: NodeJS.ProcessEnv = { ...process.env, ...SIDECAR_ENV, NODE_ENV: 'production' };
      const otlp = opts.otlpEndpoint();
      if (otlp) env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
      const args = [
        ...opts.nodeFlags,
        SIDELIGHT_MAIN,
        '--upstream',
        upstream,
        '--listen',
        listen,
        '--admin',
        admin,
        '--config',
        file,
      ];
      const [cmd, argv] = wrapped(wrap, process.execPath, args);
      const child = spawnTracked(name, cmd, argv, { core, env, cwd: dir });
      await waitForPort('127.0.0.1', port, wrap?.startTimeoutMs ?? 30_000, child);
      return { url: `http://${listen}`, pid: child.pid, stop: () => child.stop(), output: child.output };
    },
  };
}

export function sidelightContenders(opts: SidelightOptions): Contender[] {
  return [
    // The "default telemetry": parent-based 10% sampling, phase histograms,
    // exemplars, sampled logs; the per-phase INTERNAL spans are what sidelight-full adds.
    sidelight('sidelight-default', {}, opts),
    sidelight('sidelight-full', { sampling: 1, phaseSpans: true }, opts),
  ];
}
