/**
 * Every Prometheus metric Sidelight exposes, declared in this one file
 * (docs/metrics.md is checked against it). Base units, semconv names where one
 * exists, and label values only from closed sets or config: route templates
 * (`unmatched`), normalised methods (`_OTHER`), status codes, catalogued
 * reasons. Never a raw path, user id or header value.
 *
 * The five per-request histograms are FastHistograms (histogram.ts: same
 * exposition, exemplars included, a fraction of the cost per observation);
 * everything else is a plain prom-client metric.
 */
import client from 'prom-client';
import { FastHistogram } from './histogram.ts';

/** OpenTelemetry semantic-convention buckets for HTTP durations (seconds). */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
/** A phase is usually tens of microseconds; the upstream phase can take seconds. */
export const PHASE_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
  5,
];
/** Body sizes in bytes: 0 .. 1 GiB in powers of 4. */
export const BODY_SIZE_BUCKETS = [
  0, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 268435456, 1073741824,
];

/**
 * Gauges that prom-client's default collectors name `*_total`, which
 * `promtool check metrics` rejects; their un-suffixed twins carry the same data.
 */
const NONCONFORMING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Live values the metrics read at scrape time instead of on the hot path. */
export interface MetricSources {
  drops?: { traces: number; logs: number };
  /** Spans and log records the exporters delivered (export-status.ts). */
  exported?: () => { traces: number; logs: number };
  generation?: () => number;
  endpoints?: () => readonly { address: string; weight: number }[];
  reloads?: { applied: number; rejected: number };
}

export function createMetrics(sources: MetricSources = {}) {
  // OpenMetrics registry: exemplars exist only there. `/metrics` renders the
  // classic text format for clients that do not ask for OpenMetrics.
  const registry = new client.Registry<client.RegistryContentType>();
  registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];

  const serverDuration = new FastHistogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, from accept to the last response byte.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  });
  const clientDuration = new FastHistogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of upstream attempts, from dispatch to the last response byte.',
    labelNames: ['http_request_method', 'server_address', 'http_response_status_code', 'error_type'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  });
  const phaseDuration = new FastHistogram({
    name: 'sidelight_phase_duration_seconds',
    help: 'Duration of each proxy phase (accept, route, upstream, respond, finish; auth and rate_limit planned).',
    labelNames: ['phase', 'http_route'] as const,
    buckets: PHASE_BUCKETS,
    registers,
  });
  const attemptTiming = new FastHistogram({
    name: 'sidelight_upstream_attempt_timing_seconds',
    help: 'Steps of each upstream attempt, from dispatch: pool_wait (until a connection was assigned), connect (dial to established, new connections only), first_byte (until the response head).',
    labelNames: ['step', 'server_address'] as const,
    buckets: PHASE_BUCKETS,
    registers,
  });
  const exportDuration = new client.Histogram({
    name: 'sidelight_telemetry_export_duration_seconds',
    help: 'Duration of each OTLP export request (one batch), by signal and result (success, failure).',
    labelNames: ['signal', 'result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const telemetryExported = new client.Counter({
    name: 'sidelight_telemetry_exported_total',
    help: 'Spans and log records the OTLP exporters delivered.',
    labelNames: ['signal'] as const,
    registers,
    collect() {
      if (sources.exported === undefined) return;
      const e = sources.exported();
      this.reset();
      this.inc({ signal: 'traces' }, e.traces);
      this.inc({ signal: 'logs' }, e.logs);
    },
  });
  const activeRequests = new client.Gauge({
    name: 'http_server_active_requests',
    help: 'HTTP server requests in flight.',
    registers,
  });
  const requestBodySize = new FastHistogram({
    name: 'http_server_request_body_size_bytes',
    help: 'Size of request bodies forwarded upstream.',
    labelNames: ['http_request_method', 'http_route'] as const,
    buckets: BODY_SIZE_BUCKETS,
    registers,
  });
  const responseBodySize = new FastHistogram({
    name: 'http_server_response_body_size_bytes',
    help: 'Size of response bodies sent to clients.',
    labelNames: ['http_request_method', 'http_route'] as const,
    buckets: BODY_SIZE_BUCKETS,
    registers,
  });
  const configReloads = new client.Counter({
    name: 'sidelight_config_reloads_total',
    help: 'Config reloads by result (applied, rejected).',
    labelNames: ['result'] as const,
    registers,
    collect() {
      if (sources.reloads === undefined) return;
      this.reset();
      this.inc({ result: 'applied' }, sources.reloads.applied);
      this.inc({ result: 'rejected' }, sources.reloads.rejected);
    },
  });
  const telemetryDropped = new client.Counter({
    name: 'sidelight_telemetry_dropped_total',
    help: 'Spans and log records dropped because the export queue was full or the export failed.',
    labelNames: ['signal'] as const,
    registers,
    collect() {
      if (sources.drops === undefined) return;
      this.reset();
      this.inc({ signal: 'traces' }, sources.drops.traces);
      this.inc({ signal: 'logs' }, sources.drops.logs);
    },
  });
  const configGeneration = new client.Gauge({
    name: 'sidelight_config_generation',
    help: 'Generation of the config currently serving requests.',
    registers,
    collect() {
      if (sources.generation !== undefined) this.set(sources.generation());
    },
  });
  const upstreamEndpoints = new client.Gauge({
    name: 'sidelight_upstream_endpoint_weight',
    help: 'Configured weight of each upstream endpoint.',
    labelNames: ['server_address'] as const,
    registers,
    collect() {
      if (sources.endpoints === undefined) return;
      this.reset();
      for (const ep of sources.endpoints()) this.set({ server_address: ep.address }, ep.weight);
    },
  });

  // Closed sets start at zero so dashboards and rate() see them before the first event.
  for (const result of ['applied', 'rejected']) configReloads.inc({ result }, 0);
  for (const signal of ['traces', 'logs']) {
    telemetryDropped.inc({ signal }, 0);
    telemetryExported.inc({ signal }, 0);
  }

  client.collectDefaultMetrics({ register: registry });
  for (const name of NONCONFORMING_DEFAULTS) registry.removeSingleMetric(name);

  return {
    registry,
    serverDuration,
    clientDuration,
    phaseDuration,
    attemptTiming,
    exportDuration,
    telemetryExported,
    activeRequests,
    requestBodySize,
    responseBodySize,
    configReloads,
    telemetryDropped,
    configGeneration,
    upstreamEndpoints,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Names of every metric declared above (docs sync test and cardinality test). */
export const SIDELIGHT_METRIC_NAMES = [
  'http_server_request_duration_seconds',
  'http_client_request_duration_seconds',
  'sidelight_phase_duration_seconds',
  'sidelight_upstream_attempt_timing_seconds',
  'sidelight_telemetry_export_duration_seconds',
  'sidelight_telemetry_exported_total',
  'http_server_active_requests',
  'http_server_request_body_size_bytes',
  'http_server_response_body_size_bytes',
  'sidelight_config_reloads_total',
  'sidelight_telemetry_dropped_total',
  'sidelight_config_generation',
  'sidelight_upstream_endpoint_weight',
] as const;
