/**
 * `sidelight [--upstream URL] ...`: start, log where, reload the config file
 * when it changes or on SIGHUP, and shut down gracefully on SIGTERM/SIGINT
 * (exit 0 once drained).
 */
import { type ConfigOverrides, loadConfig } from '../config/load.ts';
import { configCounters } from '../config/reload.ts';
import type { Config } from '../config/schema.ts';
import { Redactor, redactUrl } from '../security/redact.ts';
import { type Sidelight, startSidelight } from '../sidelight.ts';
import { startTelemetrySdk } from '../telemetry/sdk.ts';
import { startHotReload } from './hot-reload.ts';
import { packageVersion } from './version.ts';

/** The CLI process owns the OpenTelemetry SDK: one per process, shut down after the drain. */
export async function startFromCli(
  config: Config,
  configFile: string | undefined,
  reloads?: { applied: number; rejected: number },
): Promise<Sidelight> {
  // Knows the config's secrets before the SDK reads argv into its resource.
  const redactor = new Redactor().addConfig(config);
  const telemetry = startTelemetrySdk({
    recentTraces: config.telemetry.recentTraces,
    serviceVersion: packageVersion(),
    redactor,
  });
  try {
    return await startSidelight(config, {
      telemetry,
      redactor,
      ...(configFile === undefined ? {} : { configFile }),
      ...(reloads === undefined ? {} : { reloads }),
    });
  } catch (err) {
    await telemetry.shutdown();
    throw err;
  }
}

/** Resolves with the exit code once a signal has drained the proxy; `onStop` runs first. */
export function untilSignal(app: Sidelight, onStop?: () => void): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      onStop?.();
      app.log.info({ signal }, 'draining');
      app.shutdown().then(
        async (r) => {
          await app.telemetry?.shutdown().catch(() => {});
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
  // The reload counters become sidelight_config_reloads_total{result}.
  const app = await startFromCli(config, configFile, configCounters.reloads);
  app.log.info(
    {
      proxy: app.proxyUrl,
      admin: app.adminUrl,
      upstream: config.upstream.endpoints.map((e) => redactUrl(e.url)),
    },
    `listening on ${app.proxyUrl} (admin ${app.adminUrl})`,
  );
  if (configFile === undefined) {
    process.on('SIGHUP', () =>
      app.log.warn({ signal: 'SIGHUP' }, 'no config file to reload (started from flags)'),
    );
    return untilSignal(app);
  }
  const hot = startHotReload(app, configFile, overrides);
  app.log.info({ file: configFile, generation: app.store.generation }, `watching ${configFile} for changes`);
  return untilSignal(app, () => hot.stop());
}
