/**
 * `sidelight [--upstream URL] ...`: start, log where, reload the config file
 * when it changes or on SIGHUP, and shut down gracefully on SIGTERM/SIGINT
 * (exit 0 once drained).
 */
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * `shutdown.drainDelay: auto`: 5 s in a Kubernetes pod, where the removal of
 * the pod from its Service's endpoints races SIGTERM and kube-proxy, ingress
 * controllers and cloud balancers take a few seconds to follow
 * (docs/shutdown.md); 0 elsewhere, where nothing routes to a sidecar that
 * does not know it is leaving (a terminal, the demo, a test).
 */
export const AUTO_DRAIN_DELAY_MS = 5000;

export function drainDelayMs(config: Config, env: NodeJS.ProcessEnv = process.env): number {
  const delay = config.shutdown.drainDelay;
  if (delay !== 'auto') return delay;
  return env.KUBERNETES_SERVICE_HOST ? AUTO_DRAIN_DELAY_MS : 0;
}

/**
 * The final export of queued spans and log records gets this long. An
 * unreachable collector would otherwise hold the exit for the exporter's
 * retries (measured: 8.6 s after the last response with a closed port);
 * what is still queued then is lost, as it would be on SIGKILL.
 */
export const FINAL_FLUSH_MS = 2000;

async function flushTelemetry(app: Sidelight): Promise<void> {
  const sdk = app.telemetry;
  if (sdk === undefined) return;
  const gaveUp = new AbortController();
  const done = await Promise.race([
    sdk.shutdown().then(
      () => true,
      () => true,
    ),
    sleep(FINAL_FLUSH_MS, false, { signal: gaveUp.signal }).catch(() => true),
  ]);
  gaveUp.abort();
  if (!done)
    app.log.warn(
      { timeout_ms: FINAL_FLUSH_MS, exporting: sdk.exporting },
      `telemetry export did not finish within ${FINAL_FLUSH_MS} ms; exiting without it`,
    );
}

/**
 * Resolves with the exit code once a signal has drained the proxy; `onStop`
 * runs first. A second signal during the drain delay ends the delay; any
 * signal after that is logged and otherwise ignored (SIGKILL stops at once).
 */
export function untilSignal(app: Sidelight, onStop?: () => void): Promise<number> {
  return new Promise((resolve) => {
    const skipDelay = new AbortController();
    let accepting = true;
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        if (accepting && !skipDelay.signal.aborted) {
          app.log.info({ signal }, `${signal} again: ending the drain delay`);
          skipDelay.abort();
        } else {
          app.log.warn(
            { signal, inflight: app.store.inflight },
            'already draining; requests in flight are finishing (SIGKILL stops at once)',
          );
        }
        return;
      }
      stopping = true;
      onStop?.();
      const { shutdown } = app.store.current.config;
      const delay = drainDelayMs(app.store.current.config);
      app.log.info(
        { signal, drain_delay_ms: delay, drain_timeout_ms: shutdown.drainTimeout },
        `draining: readiness 503, accepting for ${delay} ms more, then finishing requests in flight (up to ${shutdown.drainTimeout} ms)`,
      );
      app
        .shutdown({
          drainDelayMs: delay,
          drainTimeoutMs: shutdown.drainTimeout,
          skipDelay: skipDelay.signal,
          onStopAccepting: () => {
            accepting = false;
            app.log.info({ inflight: app.store.inflight }, 'stopped accepting connections');
          },
        })
        .then(
          async (r) => {
            await flushTelemetry(app);
            app.log.info(
              { abandoned: r.abandoned, delayed_ms: r.delayedMs, duration_ms: r.durationMs },
              'stopped',
            );
            app.log.flush();
            resolve(r.abandoned > 0 ? 1 : 0);
          },
          (err: unknown) => {
            app.log.error({ err }, 'shutdown failed');
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export async function runProxy(configFile: string | undefined, overrides: ConfigOverrides): Promise<number> {
  const config = await loadConfig(configFile, overrides);
  // The reload counters become sidelight_config_reloads_total{result}.
  const app = await startFromCli(config, configFile, configCounters.reloads);
  // Signals are handled before the address is logged: whoever waits for it may stop us at once.
  const hot = configFile === undefined ? undefined : startHotReload(app, configFile, overrides);
  const stopped = untilSignal(app, () => hot?.stop());
  if (configFile === undefined) {
    process.on('SIGHUP', () =>
      app.log.warn({ signal: 'SIGHUP' }, 'no config file to reload (started from flags)'),
    );
  }
  app.log.info(
    {
      proxy: app.proxyUrl,
      admin: app.adminUrl,
      upstream: config.upstream.endpoints.map((e) => redactUrl(e.url)),
    },
    `listening on ${app.proxyUrl} (admin ${app.adminUrl})`,
  );
  if (configFile !== undefined)
    app.log.info(
      { file: configFile, generation: app.store.generation },
      `watching ${configFile} for changes`,
    );
  return stopped;
}
