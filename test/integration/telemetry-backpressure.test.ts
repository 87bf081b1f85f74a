/**
 * Telemetry never pushes back on the proxy: with every request sampled, a
 * collector that stalls or is down costs dropped (and counted) spans and log
 * records, never a failed or noticeably slower request. Small batch queues
 * make the queue fill within a few hundred requests.
 */
import type { DestinationStream } from 'pino';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';
import { createLogger } from '../../src/telemetry/logging.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { parseExposition } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

const REQUESTS = 2_000;
/** SERVER, sidelight.route, CLIENT, sidelight.respond. */
const SPANS_PER_REQUEST = 4;
const QUEUE = 64;

let rx: OtlpReceiver;
let sdk: TelemetrySdk;
let demo: Awaited<ReturnType<typeof startDemoServer>>;
let sc: TestSidecar;
let pool: Pool;
const saved = {
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  timeout: process.env.OTEL_EXPORTER_OTLP_TIMEOUT,
};

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

const devNull: DestinationStream = { write() {} };

beforeAll(async () => {
  rx = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = rx.url;
  // A stalled export gives up after a second (the exporters' default is 10 s).
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
  sdk = startTelemetrySdk({
    recentTraces: 0,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
    batch: {
      maxQueueSize: QUEUE,
      maxExportBatchSize: 32,
      scheduledDelayMillis: 50,
      exportTimeoutMillis: 1_000,
    },
  });
  demo = await startDemoServer({ port: 0 });
  sc = await startSidecar(
    demo.url,
    { telemetry: { sampling: 1 } },
    { telemetry: sdk, log: createLogger('info', { destination: devNull, otel: sdk.otelLogger }) },
  );
  pool = new Pool(sc.url, { connections: 8 });
  await run(300); // warm-up: JIT and connections, so the baseline is not the cold run
});

afterAll(async () => {
  await pool?.close();
  await sc?.close();
  await sdk.shutdown();
  restore('OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint);
  restore('OTEL_EXPORTER_OTLP_TIMEOUT', saved.timeout);
  await demo.close();
  await rx.close();
}, 30_000);

/** `n` GETs, 8 at a time; returns the wall time and how many did not answer 200. */
async function run(n: number): Promise<{ ms: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        const res = await pool.request({ path: `/api/items/${i}`, method: 'GET' });
        await res.body.dump();
        if (res.statusCode !== 200) failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { ms: performance.now() - started, failed };
}

async function dropped(): Promise<{ traces: number; logs: number }> {
  const res = await request(`${sc.adminUrl}/metrics`);
  const samples = parseExposition(await res.body.text());
  const v = (signal: string) =>
    samples.find((s) => s.name === 'sidelight_telemetry_dropped_total' && s.labels.signal === signal)!.value;
  return { traces: v('traces'), logs: v('logs') };
}

/** Generous: a loaded CI box varies, a blocked event loop would not be 3x but 10-100x. */
function expectNotSlower(run: number, baseline: number): void {
  expect(run, `${Math.round(run)} ms vs baseline ${Math.round(baseline)} ms`).toBeLessThan(
    3 * baseline + 1_000,
  );
}

describe('a slow or absent collector', () => {
  it('keeps exporting with a healthy receiver (the baseline works at all)', async () => {
    rx.mode = 'ok';
    const baseline = await run(200);
    expect(baseline.failed).toBe(0);
    await rx.waitFor(() => rx.spans.length > 0 && rx.logs.length > 0, 5_000, 'spans and logs to arrive');
    expect(rx.spans.some((s) => s.kind === 'SERVER' && s.name === 'GET /*')).toBe(true);
  });

  it('drops and counts spans and logs when the collector stalls, and the proxy does not slow down', async () => {
    rx.mode = 'ok';
    const baseline = await run(REQUESTS);
    expect(baseline.failed).toBe(0);

    rx.mode = 'stall';
    const before = await dropped();
    const requestsBefore = rx.requests.traces;
    const stalled = await run(REQUESTS);
    expect(stalled.failed).toBe(0);
    expectNotSlower(stalled.ms, baseline.ms);

    expect(rx.requests.traces).toBeGreaterThan(requestsBefore); // the exporter did try
    const after = await dropped();
    // Nothing is answered, so all but a queue's worth and the batches in flight must be dropped.
    expect(after.traces - before.traces).toBeGreaterThan(REQUESTS * SPANS_PER_REQUEST * 0.5);
    expect(after.logs - before.logs).toBeGreaterThan(REQUESTS * 0.5);
    expect(after.traces - before.traces).toBe(sdk.drops.traces - before.traces);
  });

  it('keeps serving while the collector answers 503 (the exporter retries in the background)', async () => {
    rx.mode = 'ok';
    const baseline = await run(REQUESTS / 4);
    expect(baseline.failed).toBe(0);

    rx.mode = 'unavailable';
    const requestsBefore = rx.requests.traces;
    const refused = await run(REQUESTS / 4);
    expect(refused.failed).toBe(0);
    expectNotSlower(refused.ms, baseline.ms);
    // Exports stuck on the stalled collector time out first; then the 503s come back.
    await rx.waitFor(() => rx.requests.traces > requestsBefore, 10_000, 'an export attempt');
  });

  it('serves every request at full speed with the collector down (connections refused)', async () => {
    rx.mode = 'ok';
    const baseline = await run(REQUESTS);
    expect(baseline.failed).toBe(0);

    await rx.close(); // the endpoint is now a closed port
    const before = await dropped();
    const down = await run(REQUESTS);
    expect(down.failed).toBe(0);
    expectNotSlower(down.ms, baseline.ms);
    const after = await dropped();
    expect(after.traces).toBeGreaterThan(before.traces);
    expect(after.logs).toBeGreaterThan(before.logs);
  });
});
