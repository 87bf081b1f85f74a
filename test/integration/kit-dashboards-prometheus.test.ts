/**
 * The shipped dashboards against real parts: Prometheus 2.42 (exemplar
 * storage on) scrapes a Sidelight that exports every trace to a real OTLP
 * receiver, while the local load runner drives scenario S01 through it.
 * Then, as Grafana would: each variable's `label_values` query is answered
 * by Prometheus and gives the value substituted into the panels; every
 * panel query over Sidelight's metrics returns data with a finite value; the
 * exemplar queries return trace ids whose spans the receiver got.
 *
 * Not checked for data, because nothing here emits them: k6's remote-write
 * metrics (`k6_*`, the Load tests dashboard's k6 panels; the runner drives
 * Sidelight itself, k6 does not run here) and the Collector's own metrics
 * (`otelcol_*`, Telemetry health). Those queries are checked to parse and
 * evaluate (Prometheus answers `success`, with whatever data it has).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../load/runner/run-scenario.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import {
  type DashboardJson,
  isExternalMetric,
  loadDashboards,
  metricNames,
  type PanelQuery,
  queriesOf,
  substitute,
} from '../helpers/dashboards.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { type Prometheus, startPrometheus } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

/** What Grafana's `$__rate_interval` becomes: at least 4 scrapes (1 s here) and covering the whole run. */
const RATE_INTERVAL = '15s';
const ITEM_ROUTE = '/api/items/:id';

let rx: OtlpReceiver;
let sdk: TelemetrySdk;
let demo: Awaited<ReturnType<typeof startDemoServer>>;
let sc: TestSidecar;
let prom: Prometheus;
let outDir: string;
let run: Awaited<ReturnType<typeof runScenario>>;
let loadStart: number;
let loadEnd: number;
const dashboards = [...loadDashboards().values()];
const savedEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

interface ApiAnswer<T> {
  status: string;
  data: T;
  error?: string;
}

async function api<T>(pathAndQuery: string): Promise<ApiAnswer<T>> {
  const res = await fetch(`${prom.url}${pathAndQuery}`);
  return (await res.json()) as ApiAnswer<T>;
}

/** An instant query evaluated at the end of the load run. */
function instant(expr: string) {
  return api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent(expr)}&time=${loadEnd}`,
  );
}

/** Grafana's `label_values(selector, label)` / `label_values(label)` through Prometheus' label API. */
async function labelValues(query: string, values: Record<string, string>): Promise<string[]> {
  const m = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(substitute(query, values));
  if (m === null) throw new Error(`not a label_values query: ${query}`);
  const match = m[1] === undefined ? '' : `&match[]=${encodeURIComponent(m[1])}`;
  const answer = await api<string[]>(
    `/api/v1/label/${m[2]}/values?start=${loadStart - 60}&end=${loadEnd + 60}${match}`,
  );
  if (answer.status !== 'success') throw new Error(`${query}: ${answer.error}`);
  return answer.data;
}

/** Variable values as a user would pick them: each from its own query's answer, in dashboard order. */
async function variableValues(d: DashboardJson): Promise<Record<string, string>> {
  const values: Record<string, string> = { __rate_interval: RATE_INTERVAL };
  for (const v of d.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const options = await labelValues(q, values);
    const metric = /^label_values\(([a-zA-Z_:][\w:]*)/.exec(q)?.[1];
    if (metric !== undefined && isExternalMetric(metric)) {
      // k6 variables: nothing here writes k6 metrics; take the values k6 would tag (load contract).
      values[v.name] = v.name === 'testid' ? 's01' : 'steady-baseline';
      continue;
    }
    expect(options.length, `variable $${v.name} of ${d.uid} has no values`).toBeGreaterThan(0);
    values[v.name] = options.includes(ITEM_ROUTE) ? ITEM_ROUTE : options[0]!;
  }
  return values;
}

beforeAll(async () => {
  rx = await startOtlpReceiver();
  // The OTLP exporters read the endpoint from the process environment.
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
        { name: 'items', match: { path: ITEM_ROUTE } },
        { name: 'rest', match: { path: '/*' } },
      ],
    },
    { telemetry: sdk },
  );
  prom = await startPrometheus([`${sc.adminUrl}/metrics`]);
  await prom.eventually(
    async () => (await prom.targets()).find((t) => t.health === 'up'),
    30_000,
    'target up',
  );
  outDir = await mkdtemp(path.join(tmpdir(), 'sidelight-kit-load-'));
  loadStart = Date.now() / 1000;
  run = await runScenario({
    id: 'S01',
    target: sc.url,
    adminUrl: sc.adminUrl,
    durationSeconds: 4,
    scale: 0.05,
    quiet: true,
    outDir,
  });
  loadEnd = Date.now() / 1000;
  // Prometheus has the whole run once a scrape taken after it counts every request.
  await prom.eventually(
    async () => {
      const r = await prom.query(
        `sum(http_server_request_duration_seconds_count{http_route="${ITEM_ROUTE}"})`,
      );
      return Number(r[0]?.value?.[1]) === run.requests ? true : undefined;
    },
    30_000,
    `Prometheus to count the run's ${run?.requests} requests`,
  );
  loadEnd = Date.now() / 1000;
  await sdk.forceFlush();
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await sc?.close();
  await sdk?.shutdown();
  if (savedEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
  await demo?.close();
  await rx?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('the dashboards against a real Prometheus scraping Sidelight under S01', () => {
  it('the load ran: S01 sent requests without errors', () => {
    expect(run.requests).toBeGreaterThan(50);
    expect(run.errors).toBe(0);
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s: every Sidelight panel query returns data with a finite value; k6 / Collector queries evaluate',
    async (_uid, d) => {
      const values = await variableValues(d);
      const checked: PanelQuery[] = [];
      for (const q of queriesOf(d)) {
        const expr = substitute(q.expr, values);
        const answer = await instant(expr);
        const where = `${d.uid} / ${q.panel} / ${q.refId}: ${expr}`;
        expect(answer.status, `${where}: ${answer.error}`).toBe('success');
        const names = metricNames(q.expr);
        expect(names.length, where).toBeGreaterThan(0);
        if (names.every(isExternalMetric)) continue;
        expect(answer.data.result.length, `${where} returned no series`).toBeGreaterThan(0);
        const finite = answer.data.result.filter((r) => Number.isFinite(Number(r.value[1])));
        expect(finite.length, `${where} returned only NaN/Inf`).toBeGreaterThan(0);
        checked.push(q);
      }
      expect(checked.length).toBeGreaterThan(0);
    },
  );

  it('every exemplar query returns trace ids of traces the OTLP receiver got, on the span the metric describes', async () => {
    let exemplarQueries = 0;
    for (const d of dashboards) {
      const values = await variableValues(d);
      for (const q of queriesOf(d).filter((q) => q.exemplar)) {
        exemplarQueries++;
        const expr = substitute(q.expr, values);
        const answer = await api<
          { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string> }[] }[]
        >(
          `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${loadStart - 5}&end=${loadEnd + 5}`,
        );
        const where = `${d.uid} / ${q.panel} / ${q.refId}`;
        expect(answer.status, `${where}: ${answer.error}`).toBe('success');
        const exemplars = answer.data.flatMap((s) =>
          s.exemplars.map((e) => ({
            series: s.seriesLabels,
            traceId: e.labels.trace_id,
            spanId: e.labels.span_id,
          })),
        );
        expect(exemplars.length, `${where} has no exemplars`).toBeGreaterThan(0);
        for (const e of exemplars) {
          expect(e.traceId, where).toMatch(/^[0-9a-f]{32}$/);
          const span = rx.spans.find((s) => s.traceId === e.traceId && s.spanId === e.spanId);
          expect(span, `${where}: trace ${e.traceId} span ${e.spanId} was not received`).toBeDefined();
          // Attempt histograms' exemplars point at the attempt's CLIENT span, the others at the SERVER span.
          const name = e.series.__name__!;
          const kind =
            name.startsWith('http_client_') || name.startsWith('sidelight_upstream_attempt_')
              ? 'CLIENT'
              : 'SERVER';
          expect(span!.kind, where).toBe(kind);
        }
      }
    }
    expect(exemplarQueries).toBeGreaterThanOrEqual(10);
  });
});
