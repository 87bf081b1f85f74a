/**
 * Telemetry health: is the telemetry itself losing data or costing the
 * process? Sidelight counts what it dropped and exported
 * (`sidelight_telemetry_dropped_total`, `sidelight_telemetry_exported_total`)
 * and times each export; the Collector's own metrics (`otelcol_*`, scraped by
 * compose/prometheus/prometheus.yml; empty where no Collector runs) show the
 * rest of the pipeline. The
 * runtime rows are prom-client's default Node.js metrics.
 */
import { buildDashboard, query, stat, timeseries } from '../kit.ts';
import { BY_INSTANCE, INSTANCE, RATE } from '../variables.ts';

const COLLECTOR = 'job="otel-collector"';
const otelcol = (metric: string, by = 'job') =>
  `sum by (${by}) (rate(otelcol_${metric}{${COLLECTOR}}[${RATE}]))`;

export const telemetryHealth = () =>
  buildDashboard({
    uid: 'sidelight-telemetry-health',
    title: 'Sidelight / Telemetry health',
    description:
      'Spans and logs dropped and exported, the Collector pipeline, and the runtime cost: event-loop delay, heap, GC.',
    variables: [INSTANCE],
    rows: [
      {
        title: 'Dropped in the sidecar',
        panels: [
          timeseries({
            title: 'Spans and log records dropped per second',
            description:
              'Telemetry that never left the process: export queue full, or the export failed (Collector slow or down).',
            unit: 'short',
            queries: [
              query(
                `sum by (signal) (rate(sidelight_telemetry_dropped_total{${BY_INSTANCE}}[${RATE}]))`,
                '{{signal}}',
              ),
            ],
          }),
          timeseries({
            title: 'Spans and log records exported per second',
            description: 'What the sidecar delivered to the Collector (sidelight_telemetry_exported_total).',
            unit: 'short',
            queries: [
              query(
                `sum by (signal) (rate(sidelight_telemetry_exported_total{${BY_INSTANCE}}[${RATE}]))`,
                '{{signal}}',
              ),
            ],
          }),
          timeseries({
            title: 'Export latency p99',
            description:
              'How long one OTLP export request (a batch) takes, by signal and result: a slow Collector shows here first.',
            unit: 's',
            queries: [
              query(
                `histogram_quantile(0.99, sum by (signal, result, le) (rate(sidelight_telemetry_export_duration_seconds_bucket{${BY_INSTANCE}}[${RATE}])))`,
                '{{signal}} {{result}}',
              ),
            ],
          }),
          stat({
            title: 'Dropped spans (total)',
            description: 'Spans dropped since the sidecar started.',
            unit: 'short',
            queries: [
              query(`sum(sidelight_telemetry_dropped_total{${BY_INSTANCE}, signal="traces"})`, 'spans'),
            ],
          }),
          stat({
            title: 'Dropped log records (total)',
            description: 'Log records dropped since the sidecar started.',
            unit: 'short',
            queries: [query(`sum(sidelight_telemetry_dropped_total{${BY_INSTANCE}, signal="logs"})`, 'logs')],
          }),
        ],
      },
      {
        title: 'Collector pipeline (Collector metrics; empty without a Collector)',
        panels: [
          timeseries({
            title: 'Spans accepted / exported / failed',
            description:
              'Spans the Collector accepted from the sidecars, sent on to Tempo, and failed to send.',
            unit: 'short',
            queries: [
              query(otelcol('receiver_accepted_spans_total'), 'accepted'),
              query(otelcol('exporter_sent_spans_total'), 'exported'),
              query(otelcol('exporter_send_failed_spans_total'), 'failed'),
            ],
          }),
          timeseries({
            title: 'Log records accepted / exported / failed',
            description: 'Log records the Collector accepted, sent on to Loki, and failed to send.',
            unit: 'short',
            queries: [
              query(otelcol('receiver_accepted_log_records_total'), 'accepted'),
              query(otelcol('exporter_sent_log_records_total'), 'exported'),
              query(otelcol('exporter_send_failed_log_records_total'), 'failed'),
            ],
          }),
          timeseries({
            title: 'Refused by the Collector (memory_limiter)',
            description:
              'Data the Collector refused at its receiver, mostly because memory_limiter pushed back.',
            unit: 'short',
            queries: [
              query(otelcol('receiver_refused_spans_total'), 'spans'),
              query(otelcol('receiver_refused_log_records_total'), 'log records'),
            ],
          }),
          timeseries({
            title: 'Collector export queue',
            description: 'Batches waiting in each exporter queue, against its capacity.',
            unit: 'short',
            queries: [
              query(`max by (exporter) (otelcol_exporter_queue_size{${COLLECTOR}})`, 'size {{exporter}}'),
              query(
                `max by (exporter) (otelcol_exporter_queue_capacity{${COLLECTOR}})`,
                'capacity {{exporter}}',
              ),
            ],
          }),
        ],
      },
      {
        title: 'Runtime cost',
        panels: [
          timeseries({
            title: 'Event-loop delay',
            description: 'How late the event loop runs: every request waits this long on top of its work.',
            unit: 's',
            queries: [
              query(
                `max by (instance) (nodejs_eventloop_lag_p50_seconds{${BY_INSTANCE}})`,
                'p50 {{instance}}',
              ),
              query(
                `max by (instance) (nodejs_eventloop_lag_p99_seconds{${BY_INSTANCE}})`,
                'p99 {{instance}}',
              ),
              query(
                `max by (instance) (nodejs_eventloop_lag_max_seconds{${BY_INSTANCE}})`,
                'max {{instance}}',
              ),
            ],
          }),
          timeseries({
            title: 'GC time per second by kind',
            description: 'Share of each second spent in garbage collection (major = mark-compact pauses).',
            unit: 'percentunit',
            stacked: true,
            queries: [
              query(
                `sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${BY_INSTANCE}}[${RATE}]))`,
                '{{kind}}',
              ),
            ],
          }),
          timeseries({
            title: 'Heap and RSS',
            description: 'V8 heap used and total, and the resident set size of the process.',
            unit: 'bytes',
            queries: [
              query(
                `sum by (instance) (nodejs_heap_size_used_bytes{${BY_INSTANCE}})`,
                'heap used {{instance}}',
              ),
              query(
                `sum by (instance) (nodejs_heap_size_total_bytes{${BY_INSTANCE}})`,
                'heap total {{instance}}',
              ),
              query(`sum by (instance) (process_resident_memory_bytes{${BY_INSTANCE}})`, 'RSS {{instance}}'),
            ],
          }),
          timeseries({
            title: 'CPU',
            description: 'CPU seconds per second of the sidecar process (1 = one core).',
            unit: 'short',
            queries: [
              query(
                `sum by (instance) (rate(process_cpu_seconds_total{${BY_INSTANCE}}[${RATE}]))`,
                '{{instance}}',
              ),
            ],
          }),
        ],
      },
    ],
  });
