/**
 * The OpenTelemetry providers behind the global API, registered directly
 * instead of through @opentelemetry/sdk-node's NodeSDK: NodeSDK loads every
 * exporter it could build from the environment (gRPC, protobuf, metrics ...),
 * about 13 MiB of RSS a sidecar that exports OTLP/HTTP never uses (issue #10:
 * load only what the config uses). What NodeSDK did for us is done here: the
 * tracer and logger providers with the resource, and the propagators named by
 * OTEL_PROPAGATORS (default `tracecontext,baggage`; `b3`, `b3multi`, `none`).
 * No context manager: Sidelight passes contexts explicitly.
 */
import { logs, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AlwaysOnSampler, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { PRESET_IDS } from './trace-ids.ts';

const PROPAGATORS: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
};

function propagatorsNamed(names: readonly string[]): TextMapPropagator[] {
  if (names.includes('none')) return [];
  return names.flatMap((n) => PROPAGATORS[n]?.() ?? []);
}

export interface Providers {
  shutdown(): Promise<void>;
}

export function registerProviders(options: {
  resource: Resource;
  spanProcessors: SpanProcessor[];
  logRecordProcessors: LogRecordProcessor[];
  /** OTEL_PROPAGATORS, parsed (lower-case names). */
  propagators: readonly string[];
}): Providers {
  const tracerProvider = new TracerProvider({
    resource: options.resource,
    // Only sampled requests become spans: the decision was made (sampler.ts) before the SDK sees them.
    sampler: new AlwaysOnSampler(),
    // Spans carry the ids the request already announced (trace-ids.ts).
    idGenerator: PRESET_IDS,
    spanProcessors: options.spanProcessors,
  });
  const loggerProvider = new LoggerProvider({
    resource: options.resource,
    processors: options.logRecordProcessors,
  });
  trace.setGlobalTracerProvider(tracerProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: propagatorsNamed(options.propagators) }),
  );
  return {
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}
