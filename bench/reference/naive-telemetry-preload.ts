/**
 * The telemetry a user would otherwise bolt onto the bare reference (issue
 * #10), part 1, loaded with `--import` before http and undici: the OTel
 * Node SDK with @opentelemetry/auto-instrumentations-node, only its http and
 * undici instrumentations on (OTEL_NODE_ENABLED_INSTRUMENTATIONS), every
 * trace sampled, spans exported over OTLP/HTTP to the bench's sink
 * (OTEL_EXPORTER_OTLP_ENDPOINT) with the SDK's default batching.
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, BatchSpanProcessor } from '@opentelemetry/sdk-trace';

process.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ??= 'http,undici';
const sdk = new NodeSDK({
  serviceName: 'naive-telemetry',
  sampler: new AlwaysOnSampler(),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  logRecordProcessors: [],
  metricReaders: [],
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();
process.once('SIGTERM', () => void sdk.shutdown());
