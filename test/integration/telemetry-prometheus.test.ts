/**
 * The whole metrics-to-trace path with real components: Prometheus 2.42
 * (exemplar storage on) scrapes the admin `/metrics`, the SDK exports spans to
 * a real OTLP receiver, and an exemplar Prometheus stored leads to the trace.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { type Prometheus, startPrometheus } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

let rx: OtlpReceiver;
let sdk: TelemetrySdk;
let demo: Awaited<ReturnType<typeof startDemoServer>>;
let sc: TestSidecar;
let prom: Prometheus;
const savedEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

beforeAll(async () => {
  rx = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = rx.url;
  sdk = startTelemetrySdk({
    recentTraces: 0,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
    batch: { scheduledDelayMillis: 50 },
  });
  demo = await startDemoServer({ port: 0 });
  sc = await startSidecar(
    demo.url,
    {
      telemetry: { sampling: 1 },
      routes: [
        { name: 'items', match: { path: '/api/items/:id' } },
        { name: 'rest', match: { path: '/*' } },
      ],
    },
    { telemetry: sdk },
  );
  prom = await startPrometheus([`${sc.adminUrl}/metrics`]);
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await sc?.close();
  await sdk.shutdown();
  if (savedEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
  await demo.close();
  await rx.close();
});

async function get(path: string): Promise<number> {
  const res = await request(`${sc.url}${path}`);
  await res.body.text();
  return res.statusCode;
}

describe('Prometheus scraping the admin /metrics', () => {
  it('scrapes successfully (OpenMetrics negotiated) and stores series with the semconv labels', async () => {
    for (let i = 0; i < 5; i++) expect(await get(`/api/items/${i}`)).toBe(200);
    expect(await get('/status/503')).toBe(503);

    const target = await prom.eventually(
      async () => (await prom.targets()).find((t) => t.health === 'up'),
      20_000,
      'the sidecar target to be up',
    );
    expect(target.lastError).toBe('');

    const series = await prom.eventually(
      async () => {
        const s = await prom.series('http_server_request_duration_seconds_count');
        return s.length >= 2 ? s : undefined;
      },
      20_000,
      'http_server_request_duration_seconds_count series',
    );
    const strip = ({ __name__: _n, instance: _i, job: _j, ...rest }: Record<string, string>) => rest;
    expect(series.map(strip)).toEqual(
      expect.arrayContaining([
        {
          http_request_method: 'GET',
          http_route: '/api/items/:id',
          http_response_status_code: '200',
        },
        {
          http_request_method: 'GET',
          http_route: '/*',
          http_response_status_code: '503',
          error_type: '503',
        },
      ]),
    );
    // An empty label is no label to PromQL: the success series has no error_type at all.
    const ok = series.find((s) => s.http_response_status_code === '200')!;
    expect(ok.error_type).toBeUndefined();

    const [count] = await prom.eventually(
      async () => {
        const r = await prom.query(
          'sum(http_server_request_duration_seconds_count{http_route="/api/items/:id"})',
        );
        return r.length === 1 && r[0]!.value![1] === '5' ? r : undefined;
      },
      20_000,
      'the item request count to reach 5',
    );
    expect(count!.value![1]).toBe('5');
    // The counters that must exist from the start are scraped at zero.
    const dropped = await prom.query('sidelight_telemetry_dropped_total');
    expect(dropped.map((r) => [r.metric.signal, r.value![1]]).sort()).toEqual([
      ['logs', '0'],
      ['traces', '0'],
    ]);
  });

  it('stores exemplars whose trace_id leads to the exported trace', async () => {
    expect(await get('/api/items/42')).toBe(200);
    const now = Date.now() / 1000;
    const found = await prom.eventually(
      async () => {
        const r = await prom.queryExemplars(
          'http_server_request_duration_seconds_bucket{http_route="/api/items/:id"}',
          now - 300,
          Date.now() / 1000 + 60,
        );
        const exemplars = r.flatMap((s) => s.exemplars.map((e) => ({ series: s.seriesLabels, e })));
        return exemplars.length > 0 ? exemplars : undefined;
      },
      20_000,
      'exemplars on http_server_request_duration_seconds_bucket',
    );
    for (const { series, e } of found) {
      expect(series.http_route).toBe('/api/items/:id');
      expect(Object.keys(e.labels).sort()).toEqual(['span_id', 'trace_id']);
    }
    // Exemplar -> trace: the receiver has a SERVER span with exactly that trace and span id.
    const { e } = found[found.length - 1]!;
    const server = await rx.waitFor(
      () => rx.spans.find((s) => s.traceId === e.labels.trace_id && s.kind === 'SERVER'),
      5_000,
      `the trace ${e.labels.trace_id} of an exemplar`,
    );
    expect(server.spanId).toBe(e.labels.span_id);
    expect(server.name).toBe('GET /api/items/:id');
    expect(rx.trace(server.traceId).map((s) => s.name)).toEqual(
      expect.arrayContaining(['sidelight.route', 'GET', 'sidelight.respond']),
    );
    // The exemplar's value is that request's duration, inside the bucket it is attached to.
    const seconds = Number(server.endNs - server.startNs) / 1e9;
    expect(Number(e.value)).toBeCloseTo(seconds, 2);
  });
});
