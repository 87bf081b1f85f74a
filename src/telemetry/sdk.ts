/**
 * The one module that sets up the OpenTelemetry SDK (sdk-node, SDK 3.x).
 * Standard variables work as users expect: OTEL_EXPORTER_OTLP_ENDPOINT (and
 * the per-signal *_TRACES_/*_LOGS_ENDPOINT), OTEL_TRACES_SAMPLER / _ARG,
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER=none.
 *
 * With no endpoint configured nothing is exported: spans still feed the
 * in-process recent-trace buffer. Export never blocks the proxy: bounded batch
 * queues, and what is dropped is counted (drops.ts).
 *
 * The proxy uses the global API (`trace.getTracer`), as libraries should; this
 * module registers the providers behind it. Metrics are prom-client's, so the
 * SDK gets no metric readers (its env default would push OTLP metrics).
 */
import { logs, type Logger as OtelLogger, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { type DropCounts, dropCountingMeterProvider } from './drops.ts';
import { RecentTraces } from './recent-traces.ts';
import { createSampler } from './sampler.ts';

export interface TelemetrySdkOptions {
  /** Default root sampling ratio (routes carry their own; see sampler.ts). */
  sampling: number;
  /** Capacity of the recent-trace buffer. */
  recentTraces: number;
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
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
  readonly drops: DropCounts;
  /** Present when log records are exported over OTLP. */
  readonly otelLogger: OtelLogger | undefined;
  readonly exporting: { traces: boolean; logs: boolean };
  readonly disabled: boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function listEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function wantsExport(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'LOGS'): boolean {
  if (listEnv(env, `OTEL_${signal}_EXPORTER`).includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
}

export function startTelemetrySdk(options: TelemetrySdkOptions): TelemetrySdk {
  const env = options.env ?? process.env;
  const drops: DropCounts = { traces: 0, logs: 0 };
  const selfObsMeterProvider = dropCountingMeterProvider(drops);
  const recent = new RecentTraces(options.recentTraces);
  // Small batches: OTLP serialization runs on the event loop, and a 512-span
  // batch blocked it for tens of ms (the p99 of the added-latency benchmark);
  // 64 spans cost a few ms at most, spread out.
  const batch = {
    maxQueueSize: 4096,
    maxExportBatchSize: 64,
    scheduledDelayMillis: 500,
    exportTimeoutMillis: 10_000,
    ...options.batch,
  };
  const exporting = { traces: wantsExport(env, 'TRACES'), logs: wantsExport(env, 'LOGS') };
  const spanProcessors: SpanProcessor[] = [recent];
  if (exporting.traces) {
    spanProcessors.push(
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batch, selfObsMeterProvider }),
    );
  }
  const logRecordProcessors = exporting.logs
    ? [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(), ...batch, selfObsMeterProvider })]
    : [];

  const resourceAttrs: Record<string, string> = {};
  if (!env.OTEL_SERVICE_NAME) resourceAttrs[ATTR_SERVICE_NAME] = 'sidelight';
  if (options.serviceVersion) resourceAttrs['service.version'] = options.serviceVersion;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes(resourceAttrs),
    // OTEL_TRACES_SAMPLER set: the user's sampler, as they expect (per-route ratios then do not apply).
    ...(env.OTEL_TRACES_SAMPLER ? {} : { sampler: createSampler(options.sampling) }),
    spanProcessors,
    logRecordProcessors,
    metricReaders: [],
    instrumentations: [],
  });
  const disabled = String(env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true';
  sdk.start();
  const otelLogger =
    !disabled && exporting.logs ? logs.getLogger('sidelight', options.serviceVersion) : undefined;

  let down: Promise<void> | undefined;
  return {
    recent,
    drops,
    otelLogger,
    exporting,
    disabled,
    async forceFlush() {
      // The processors themselves: the global API hands out proxy providers, which
      // have no forceFlush, so flushing through them was a silent no-op (issue 19).
      await Promise.all([...spanProcessors, ...logRecordProcessors].map((p) => p.forceFlush()));
    },
    shutdown() {
      down ??= sdk
        .shutdown()
        // A final flush the collector cannot take is lost telemetry (counted as dropped),
        // not a failed shutdown: it must not mask the error or exit code that led here.
        .catch(() => {})
        .finally(() => {
          // Let a later SDK in the same process (tests) register again.
          trace.disable();
          logs.disable();
        });
      return down;
    },
  };
}
