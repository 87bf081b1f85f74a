/**
 * Issue #10 item 5: an export batch never stalls the event loop for more than
 * 1 ms. The OTLP/HTTP exporter serialises a whole batch synchronously, so this
 * measures exactly that: `BATCH_DEFAULTS.maxExportBatchSize` spans shaped like
 * Sidelight's (made by materialise() from a proxied GET's record: SERVER with
 * its semconv attributes, five phase spans, a CLIENT span with its events),
 * serialised by the exporter's own JSON serializer, many times. Reported: the
 * median and the p99 wall time per batch in ms (the budget applies to the
 * p99), and spans per batch.
 *
 *   node bench/otlp-batch.bench.ts [--quick]
 */
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { materialise } from '../src/telemetry/materialise.ts';
import { BATCH_DEFAULTS } from '../src/telemetry/sdk.ts';
import type { FinishedRequest, SpanData } from '../src/telemetry/span-data.ts';
import { newSpanId, newTraceId, PRESET_IDS } from '../src/telemetry/trace-ids.ts';

function request(t0: number): FinishedRequest {
  const traceId = newTraceId();
  const serverId = newSpanId();
  const phase = (name: string, start: number, end: number): SpanData => ({
    name: `sidelight.${name}`,
    kind: SpanKind.INTERNAL,
    spanId: newSpanId(),
    parentSpanId: serverId,
    start,
    end,
    attributes: {},
    events: [],
    error: false,
    statusMessage: undefined,
  });
  const server: SpanData = {
    name: 'GET /api/items/:id',
    kind: SpanKind.SERVER,
    spanId: serverId,
    parentSpanId: undefined,
    start: t0,
    end: t0 + 1,
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/api/items/42',
      'url.scheme': 'http',
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'sidelight.request_id': '8b0c6f5e-3a4d-4c2b-9f1e-2d7a6b5c4e3f',
      'sidelight.config.generation': 1,
      'http.response.status_code': 200,
      'http.request.body.size': 0,
      'http.response.body.size': 1024,
      'user_agent.original': 'k6/1.3.0 (https://k6.io/)',
      'server.address': '127.0.0.1',
      'server.port': 8080,
      'http.route': '/api/items/:id',
      'sidelight.route.name': 'items',
    },
    events: [],
    error: false,
    statusMessage: undefined,
  };
  const client: SpanData = {
    name: 'GET',
    kind: SpanKind.CLIENT,
    spanId: newSpanId(),
    parentSpanId: serverId,
    start: t0 + 0.1,
    end: t0 + 0.9,
    attributes: {
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': 3000,
      'url.full': 'http://127.0.0.1:3000/api/items/42',
      'http.response.status_code': 200,
    },
    events: [
      { name: 'sidelight.pool.acquired', at: t0 + 0.15 },
      { name: 'sidelight.response.first_byte', at: t0 + 0.6 },
    ],
    error: false,
    statusMessage: undefined,
  };
  return {
    traceId,
    requestId: 'x',
    sampled: true,
    server,
    children: [
      phase('accept', t0, t0 + 0.05),
      phase('route', t0 + 0.05, t0 + 0.1),
      phase('upstream', t0 + 0.1, t0 + 0.6),
      client,
      phase('respond', t0 + 0.6, t0 + 0.95),
      phase('finish', t0 + 0.95, t0 + 1),
    ],
    status: 200,
    errorType: '',
    errorMessage: undefined,
    durationMs: 1,
    startedAt: Date.now(),
    routeTemplate: '/api/items/:id',
  };
}

export async function runOtlpBatchBench(opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    idGenerator: PRESET_IDS,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('sidelight');
  const size = BATCH_DEFAULTS.maxExportBatchSize;
  while (exporter.getFinishedSpans().length < size) {
    materialise(tracer, request(performance.now()), ROOT_CONTEXT);
  }
  const batch = exporter.getFinishedSpans().slice(0, size);
  const iterations = opts.quick ? 200 : 2_000;
  for (let i = 0; i < 100; i++) JsonTraceSerializer.serializeRequest(batch);
  // Wall time: what the event loop is blocked for (on a shared machine it also counts the
  // moments another process had the core: read the p99 from a quiet run).
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    JsonTraceSerializer.serializeRequest(batch);
    times.push(performance.now() - t);
  }
  await provider.shutdown();
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000) / 1000;
  return { spansPerBatch: batch.length, medianMs: at(0.5), p99Ms: at(0.99) };
}

if (import.meta.main) console.log(await runOtlpBatchBench({ quick: process.argv.includes('--quick') }));
