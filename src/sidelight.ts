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
import { Redactor } from './security/redact.ts';
import { type DrainResult, drain } from './server/drain.ts';
import { listen } from './server/listen.ts';
import { createProxyServer } from './server/proxy-server.ts';
import { telemetryDestinations, telemetryHealth } from './telemetry/destinations.ts';
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
  /** The process's secrets; learns every config this instance runs. One is made when absent. */
  redactor?: Redactor;
}

export interface Sidelight {
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly store: RuntimeStore;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The SDK this instance reports to, when one was given. */
  readonly telemetry: TelemetrySdk | undefined;
  /** Scrubs the secrets of every config this instance has run from text (logs, argv). */
  readonly redactor: Redactor;
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
  const redactor = (options.redactor ?? new Redactor()).addConfig(config);
  const log =
    options.log ??
    createLogger(config.telemetry.logLevel, { otel: options.telemetry?.otelLogger, scrub: redactor.scrub });
  options.telemetry?.status.attach(log);
  const sdk = options.telemetry;
  // Read by the closures below only once the store (declared after the observer it needs) exists.
  const current = () => store.current;
  const metrics = createMetrics({
    ...(sdk ? { drops: sdk.drops, exported: () => sdk.status.exported() } : {}),
    ...(options.reloads ? { reloads: options.reloads } : {}),
    generation: () => current().generation,
    endpoints: () => current().upstream.endpoints,
  });
  if (sdk !== undefined) {
    sdk.status.onExport = (signal, seconds, ok) =>
      metrics.exportDuration.observe({ signal, result: ok ? 'success' : 'failure' }, seconds);
  }
  const observer =
    options.observer ??
    new TelemetryObserver({
      metrics,
      log,
      keepWarnings: () => current().config.telemetry.keepWarnings,
      defaultSampling: () => current().config.telemetry.sampling,
      tracer: sdk?.tracer,
      otelLogger: sdk?.otelLogger,
      recent: sdk?.recent,
      ...(sdk ? { sampling: sdk.sampler } : {}),
      propagate: sdk !== undefined && !sdk.disabled,
    });
  // Provision, then let the observer resolve what it needs, before the runtime serves.
  const provisioned = (next: Config, generation: number) => {
    const runtime = provision(next, generation, options.configFile);
    observer.provision(runtime);
    return runtime;
  };
  const store = new RuntimeStore(provisioned(config, 1), (retired, now) => observer.retire(retired, now));
  const proxy = createProxyServer(store, observer, log);
  let adminUrl = '';
  const scrapes = { count: 0, lastAt: undefined as number | undefined };
  const routes = new Map(
    coreAdminRoutes(store, config, () => ({
      telemetry: telemetryHealth(options.telemetry, adminUrl, scrapes),
    })),
  );
  for (const [path, handler] of telemetryAdminRoutes(metrics, sdk?.recent, scrapes))
    routes.set(path, handler);
  for (const [path, handler] of options.adminRoutes ?? []) routes.set(path, handler);
  const admin = createAdminServer(routes);
  const servers: Server[] = [proxy, admin];
  let proxyUrl: string;
  try {
    proxyUrl = await listen(proxy, config.listen);
    adminUrl = await listen(admin, config.admin.listen);
  } catch (err) {
    for (const s of servers) s.close();
    await store.current.upstream.destroy();
    throw err;
  }
  const destinations = telemetryDestinations(options.telemetry, adminUrl);
  log.info(
    { telemetry: destinations },
    `telemetry: traces -> ${destinations.traces}, logs -> ${destinations.logs}, metrics -> ${destinations.metrics}`,
  );
  let shuttingDown: Promise<DrainResult> | undefined;
  return {
    proxyUrl,
    adminUrl,
    store,
    log,
    metrics,
    telemetry: options.telemetry,
    redactor,
    apply(next: Config) {
      // Learnt before anything can log the new config: its secrets stay secret from the start.
      redactor.addConfig(next);
      store.swap(provisioned(next, store.generation + 1));
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
