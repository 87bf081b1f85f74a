/**
 * The one module that sets up the OpenTelemetry SDK (SDK 3.x providers, see providers.ts).
 * Standard variables work as users expect: OTEL_EXPORTER_OTLP_ENDPOINT (and
 * the per-signal *_TRACES_/*_LOGS_ENDPOINT), OTEL_TRACES_SAMPLER / _ARG,
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER=none.
 *
 * With no endpoint configured nothing is exported and no span is ever made:
 * the in-process recent-trace buffer is fed from request records directly.
 * Export never blocks the proxy: bounded batch queues, and what is dropped is
 * counted (drops.ts). Each exporter reports its outcomes to export-status.ts
 * (health detail, rate-limited warnings).
 *
 * Sidelight decides sampling itself (sampler.ts) and makes SDK spans only for
 * sampled requests (materialise.ts), with ids it chose while the request ran:
 * the SDK gets an AlwaysOn sampler and the PRESET_IDS id generator.
 *
 * Resource attributes pass through the process's Redactor: the process
 * detector's `process.command_args` is argv, and `--upstream
 * http://user:password@host` must not reach every export (issue 9).
 *
 * The proxy uses the global API (`trace.getTracer`), as libraries should; this
 * module registers the providers behind it. Metrics are prom-client's, so the
 * SDK gets no metric readers (its env default would push OTLP metrics).
 */
import { logs, type Logger as OtelLogger, propagation, type Tracer, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  type DetectedResourceAttributes,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type ResourceDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { Redactor, redactUrl } from '../security/redact.ts';
import { type DropCounts, dropCountingMeterProvider } from './drops.ts';
import { type ExportSignal, ExportStatus } from './export-status.ts';
import { type Providers, registerProviders } from './providers.ts';
import { RecentTraces } from './recent-traces.ts';
import { SamplingDecider, samplingPolicyFromEnv } from './sampler.ts';

/**
 * Batch settings for both signals. Small, frequent batches: OTLP serialisation
 * runs on the event loop; a batch of 64 Sidelight spans serialises in well
 * under 1 ms (bench/otlp-batch.bench.ts keeps that budget), where a 512-span
 * batch blocked the loop for milliseconds (the p99 of the added-latency
 * benchmark).
 */
export const BATCH_DEFAULTS = {
  maxQueueSize: 4096,
  maxExportBatchSize: 64,
  scheduledDelayMillis: 500,
  exportTimeoutMillis: 10_000,
} as const;

export interface TelemetrySdkOptions {
  /** Capacity of the recent-trace buffer. */
  recentTraces: number;
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
  /** The process's secrets (redact.ts); it learns the OTLP header values here. */
  redactor?: Redactor;
  /** At most one export-failure warning per signal per this many ms (default 30 s). */
  failureReportIntervalMs?: number;
  /** Clock for the failure reports (tests). */
  now?: () => number;
  /** Batch settings; the defaults suit a sidecar (small, frequent batches). */
  batch?: {
    maxQueueSize?: number;
    maxExportBatchSize?: number;
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
  };
}

export interface TelemetrySdk {
  readonly recent: RecentTraces;
  /** Where sampled requests' spans go; undefined when spans are not exported (or the SDK is disabled). */
  readonly tracer: Tracer | undefined;
  /** The sampling decision: parent-based with route ratios, or what OTEL_TRACES_SAMPLER names. */
  readonly sampler: SamplingDecider;
  readonly drops: DropCounts;
  /** Per-signal destination and export outcomes (`/healthz?verbose`). */
  readonly status: ExportStatus;
  /** Present when log records are exported over OTLP. */
  readonly otelLogger: OtelLogger | undefined;
  readonly exporting: { traces: boolean; logs: boolean };
  readonly disabled: boolean;
  /** Exports what is queued now; resolves once every export has finished, failed or not. */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function listEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The OTLP/HTTP URL a signal is exported to, or undefined: the per-signal
 * variable verbatim, else the base URL plus `/v1/<signal>` (the OTLP exporter
 * spec's rule). The exporters get this URL, so what is logged and shown is
 * what is used.
 */
function otlpUrl(env: NodeJS.ProcessEnv, signal: ExportSignal): string | undefined {
  const upper = signal.toUpperCase();
  if (listEnv(env, `OTEL_${upper}_EXPORTER`).includes('none')) return undefined;
  const own = env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`];
  if (own) return own;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/${signal}` : undefined;
}

const DETECTORS: Record<string, ResourceDetector> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};

/** The detector choice NodeSDK makes (OTEL_NODE_RESOURCE_DETECTORS, default all), each scrubbed of secrets. */
function scrubbedDetectors(env: NodeJS.ProcessEnv, scrub: (s: string) => string): ResourceDetector[] {
  const names = listEnv(env, 'OTEL_NODE_RESOURCE_DETECTORS');
  const chosen =
    names.length === 0 || names.includes('all')
      ? Object.values(DETECTORS)
      : names.includes('none')
        ? []
        : names.flatMap((n) => DETECTORS[n] ?? []);
  const clean = (v: unknown): unknown =>
    typeof v === 'string' ? scrub(v) : Array.isArray(v) ? v.map(clean) : v;
  return chosen.map((detector) => ({
    detect(config) {
      const attributes: DetectedResourceAttributes = {};
      for (const [k, v] of Object.entries(detector.detect(config).attributes ?? {})) {
        attributes[k] = (
          v instanceof Promise ? v.then(clean) : clean(v)
        ) as DetectedResourceAttributes[string];
      }
      return { attributes };
    },
  }));
}

export function startTelemetrySdk(options: TelemetrySdkOptions): TelemetrySdk {
  const env = options.env ?? process.env;
  const redactor = options.redactor ?? new Redactor();
  for (const name of ['', 'TRACES_', 'LOGS_'])
    redactor.addHeaderList(env[`OTEL_EXPORTER_OTLP_${name}HEADERS`]);
  const disabled = String(env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true';
  const drops: DropCounts = { traces: 0, logs: 0 };
  const selfObsMeterProvider = dropCountingMeterProvider(drops);
  const recent = new RecentTraces(options.recentTraces);
  const batch = { ...BATCH_DEFAULTS, ...options.batch };
  const urls = disabled ? {} : { traces: otlpUrl(env, 'traces'), logs: otlpUrl(env, 'logs') };
  const exporting = { traces: urls.traces !== undefined, logs: urls.logs !== undefined };
  redactor.addUrl(urls.traces).addUrl(urls.logs);
  const status = new ExportStatus({
    destinations: Object.fromEntries(
      Object.entries(urls).flatMap(([signal, url]) => (url === undefined ? [] : [[signal, redactUrl(url)]])),
    ),
    drops,
    scrub: redactor.scrub,
    ...(options.failureReportIntervalMs === undefined
      ? {}
      : { reportIntervalMs: options.failureReportIntervalMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const spanProcessors: BatchSpanProcessor[] = [];
  if (urls.traces !== undefined) {
    const exporter = status.wrap('traces', new OTLPTraceExporter({ url: urls.traces }));
    spanProcessors.push(new BatchSpanProcessor({ exporter, ...batch, selfObsMeterProvider }));
  }
  const logRecordProcessors =
    urls.logs === undefined
      ? []
      : [
          new BatchLogRecordProcessor({
            exporter: status.wrap('logs', new OTLPLogExporter({ url: urls.logs })),
            ...batch,
            selfObsMeterProvider,
          }),
        ];

  const resourceAttrs: Record<string, string> = {};
  if (!env.OTEL_SERVICE_NAME) resourceAttrs[ATTR_SERVICE_NAME] = 'sidelight';
  if (options.serviceVersion) resourceAttrs['service.version'] = options.serviceVersion;
  // As NodeSDK did: detected attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES ...) win.
  const resource = resourceFromAttributes(resourceAttrs).merge(
    detectResources({ detectors: scrubbedDetectors(env, redactor.scrub) }),
  );
  const providers: Providers | undefined = disabled
    ? undefined
    : registerProviders({
        resource,
        spanProcessors,
        logRecordProcessors,
        propagators: env.OTEL_PROPAGATORS ? listEnv(env, 'OTEL_PROPAGATORS') : ['tracecontext', 'baggage'],
      });
  const otelLogger =
    !disabled && exporting.logs ? logs.getLogger('sidelight', options.serviceVersion) : undefined;

  let down: Promise<void> | undefined;
  return {
    recent,
    tracer: !disabled && exporting.traces ? trace.getTracer('sidelight', options.serviceVersion) : undefined,
    sampler: new SamplingDecider(samplingPolicyFromEnv(env)),
    drops,
    status,
    otelLogger,
    exporting,
    disabled,
    async forceFlush() {
      // Our own processors: the global tracer provider is the API's proxy, which has no
      // forceFlush. A failed export is lost telemetry, counted and reported by `status`.
      await Promise.allSettled([...spanProcessors, ...logRecordProcessors].map((p) => p.forceFlush()));
    },
    shutdown() {
      down ??= (providers?.shutdown() ?? Promise.resolve())
        // A final flush the collector cannot take is lost telemetry (counted as dropped),
        // not a failed shutdown: it must not mask the error or exit code that led here.
        .catch(() => {})
        .finally(() => {
          // Let a later SDK in the same process (tests) register again.
          trace.disable();
          logs.disable();
          propagation.disable();
        });
      return down;
    },
  };
}
