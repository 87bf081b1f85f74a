/**
 * The composition root: config -> runtime -> listeners. Also the embeddable
 * API tests and the CLI use (`startSidelight`), so the CLI stays a thin shell.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { type AdminHandler, coreAdminRoutes, createAdminServer } from './admin/server.ts';
import { telemetryAdminRoutes } from './admin/telemetry-routes.ts';
import { provision } from './config/provision.ts';
import type { Config } from './config/schema.ts';
import { RuntimeStore } from './config/store.ts';
import type { RequestObserver } from './pipeline/pipeline.ts';
import { type DrainResult, drain } from './server/drain.ts';
import { listen } from './server/listen.ts';
import { createProxyServer } from './server/proxy-server.ts';
import { createLogger } from './telemetry/logging.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { TelemetryObserver } from './telemetry/observer.ts';
import type { TelemetrySdk } from './telemetry/sdk.ts';

export interface SidelightOptions {
  /** Where the config came from, for problem reports. */
  configFile?: string;
  log?: Logger;
  /** The OpenTelemetry SDK set up for this process (sdk.ts); without it spans are no-ops. */
  telemetry?: TelemetrySdk;
  /** Replaces the telemetry observer (tests that record outcomes). */
  observer?: RequestObserver;
  /** Config reload counts, exposed as sidelight_config_reloads_total. */
  reloads?: { applied: number; rejected: number };
  /** Extra admin endpoints (metrics, traces) provided by other concerns. */
  adminRoutes?: ReadonlyMap<string, AdminHandler>;
}

export interface Sidelight {
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly store: RuntimeStore;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The SDK this instance reports to, when one was given. */
  readonly telemetry: TelemetrySdk | undefined;
  /** Provisions `config` fully, then swaps it in; throws (and changes nothing) if it cannot. */
  apply(config: Config): void;
  /**
   * Graceful: readiness 503, keep accepting for the drain delay, stop
   * accepting, finish in-flight, close pools (server/drain.ts). A number is
   * the drain timeout. Both default to the config's `shutdown` section, except
   * that the delay is 0 unless given: an embedder decides whether anyone routes
   * to it (the CLI resolves `shutdown.drainDelay`, cli/run.ts).
   */
  shutdown(options?: number | ShutdownOptions): Promise<DrainResult>;
}

export interface ShutdownOptions {
  drainTimeoutMs?: number;
  drainDelayMs?: number;
  /** Aborting it ends the drain delay at once. */
  skipDelay?: AbortSignal;
  /** Called when the proxy listener stops accepting. */
  onStopAccepting?(): void;
}

export async function startSidelight(config: Config, options: SidelightOptions = {}): Promise<Sidelight> {
  const log = options.log ?? createLogger(config.telemetry.logLevel, { otel: options.telemetry?.otelLogger });
  const store = new RuntimeStore(provision(config, 1, options.configFile));
  const metrics = createMetrics({
    ...(options.telemetry ? { drops: options.telemetry.drops } : {}),
    ...(options.reloads ? { reloads: options.reloads } : {}),
    generation: () => store.generation,
    endpoints: () => store.current.upstream.endpoints,
  });
  const observer =
    options.observer ??
    new TelemetryObserver({
      metrics,
      log,
      keepWarnings: () => store.current.config.telemetry.keepWarnings,
      defaultSampling: () => store.current.config.telemetry.sampling,
      otelLogger: options.telemetry?.otelLogger,
    });
  const proxy = createProxyServer(store, observer, log);
  const routes = new Map(coreAdminRoutes(store, config));
  for (const [path, handler] of telemetryAdminRoutes(metrics, options.telemetry?.recent))
    routes.set(path, handler);
  for (const [path, handler] of options.adminRoutes ?? []) routes.set(path, handler);
  const admin = createAdminServer(routes);
  const servers: Server[] = [proxy, admin];
  let proxyUrl: string;
  let adminUrl: string;
  try {
    proxyUrl = await listen(proxy, config.listen);
    adminUrl = await listen(admin, config.admin.listen);
  } catch (err) {
    for (const s of servers) s.close();
    await store.current.upstream.destroy();
    throw err;
  }
  let shuttingDown: Promise<DrainResult> | undefined;
  return {
    proxyUrl,
    adminUrl,
    store,
    log,
    metrics,
    telemetry: options.telemetry,
    apply(next: Config) {
      store.swap(provision(next, store.generation + 1, options.configFile));
    },
    shutdown(options = {}) {
      const o = typeof options === 'number' ? { drainTimeoutMs: options } : options;
      shuttingDown ??= drain(store, [proxy], {
        timeoutMs: o.drainTimeoutMs ?? store.current.config.shutdown.drainTimeout,
        delayMs: o.drainDelayMs ?? 0,
        ...(o.skipDelay ? { skipDelay: o.skipDelay } : {}),
        ...(o.onStopAccepting ? { onStopAccepting: o.onStopAccepting } : {}),
      }).then(async (result) => {
        admin.close();
        admin.closeAllConnections();
        return result;
      });
      return shuttingDown;
    },
  };
}
