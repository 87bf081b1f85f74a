/**
 * `sidelight [--upstream URL] ...`: start, log where, and shut down gracefully
 * on SIGTERM/SIGINT (exit 0 once drained).
 */
import { loadConfig, type ConfigOverrides } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { type Sidelight, startSidelight } from '../sidelight.ts';

export async function startFromCli(config: Config, configFile: string | undefined): Promise<Sidelight> {
  return startSidelight(config, configFile === undefined ? {} : { configFile });
}

/** Resolves with the exit code once a signal has drained the proxy. */
export function untilSignal(app: Sidelight): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      app.log.info({ signal }, 'draining');
      app.shutdown().then(
        (r) => {
          app.log.info({ abandoned: r.abandoned, duration_ms: r.durationMs }, 'stopped');
          app.log.flush();
          resolve(r.abandoned > 0 ? 1 : 0);
        },
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export async function runProxy(configFile: string | undefined, overrides: ConfigOverrides): Promise<number> {
  const config = await loadConfig(configFile, overrides);
  const app = await startFromCli(config, configFile);
  app.log.info(
    { proxy: app.proxyUrl, admin: app.adminUrl, upstream: config.upstream.endpoints.map((e) => e.url) },
    `listening on ${app.proxyUrl} (admin ${app.adminUrl})`,
  );
  return untilSignal(app);
}
