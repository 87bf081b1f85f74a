/**
 * Telemetry never pushes back on the proxy: with every request sampled, a
 * collector that stalls or is down costs dropped (and counted) spans and log
 * records, never a failed request. Small batch queues make the queue fill
 * within a few hundred requests. Drops are read from a real /metrics scrape and
 * checked against an independent count (spans ended minus what can be queued).
 * No wall-clock budget: speed belongs to the benchmark (issue 19).
 */
import type { DestinationStream } from 'pino';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';
import { createLogger } from '../../src/telemetry/logging.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { useCleanup } from '../helpers/fixtures.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { parseExposition } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

const REQUESTS = 2_000;
/** SERVER, CLIENT and the five phase spans (accept, route, upstream, respond, finish). */
const SPANS_PER_REQUEST = 7;
const QUEUE = 64;
const BATCH = 32;

let demo: Awaited<ReturnType<typeof startDemoServer>>;
const saved = {
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  timeout: process.env.OTEL_EXPORTER_OTLP_TIMEOUT,
};

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Process log records (not access records): they go to OTLP too, e.g. the export-failure warnings. */
const processRecords = { count: 0 };
const devNull: DestinationStream = {
  write(line: string) {
    if (!line.includes('"msg":"access"')) processRecords.count++;
  },
};

beforeAll(async () => {
  demo = await startDemoServer({ port: 0 });
});

afterAll(async () => {
  restore('OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint);
  restore('OTEL_EXPORTER_OTLP_TIMEOUT', saved.timeout);
  await demo?.close();
});

const cleanup = useCleanup();

interface Setup {
  rx: OtlpReceiver;
  sdk: TelemetrySdk;
  sc: TestSidecar;
  pool: Pool;
}

/**
 * A fresh receiver, SDK and sidecar for one test, so no test depends on what
 * another did to the collector (the SDK registers globally; shutdown unregisters).
 */
async function setup(): Promise<Setup> {
  processRecords.count = 0;
  const rx = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = rx.url;
  // A stalled export gives up after a second (the exporters' default is 10 s).
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
  const sdk = startTelemetrySdk({
    recentTraces: 0,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
    batch: {
      maxQueueSize: QUEUE,
      maxExportBatchSize: BATCH,
      scheduledDelayMillis: 50,
      exportTimeoutMillis: 1_000,
    },
  });
  const sc = await startSidecar(
    demo.url,
    { telemetry: { sampling: 1 } },
    { telemetry: sdk, log: createLogger('info', { destination: devNull, otel: sdk.otelLogger }) },
  );
  const pool = new Pool(sc.url, { connections: 8 });
  cleanup.push(async () => {
    await pool.close();
    await sc.close();
    await sdk.shutdown();
    await rx.close();
  });
  return { rx, sdk, sc, pool };
}

/** `n` GETs, 8 at a time; returns how many did not answer 200. */
async function run(pool: Pool, n: number): Promise<{ failed: number }> {
  let next = 0;
  let failed = 0;
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
  return { failed };
}

/**
 * Re-reads `read()` until `done` holds (a positive condition: the exporter's
 * callbacks arriving), then returns the value; gives up after 10 s with the last one.
 */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const v = await read();
    if (done(v) || performance.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The drop counters as a real scrape of /metrics shows them. */
async function dropped(sc: TestSidecar): Promise<{ traces: number; logs: number }> {
  const res = await request(`${sc.adminUrl}/metrics`);
  const samples = parseExposition(await res.body.text());
  const v = (signal: string) =>
    samples.find((s) => s.name === 'sidelight_telemetry_dropped_total' && s.labels.signal === signal)!.value;
  return { traces: v('traces'), logs: v('logs') };
}

describe('a slow or absent collector', () => {
  it('keeps exporting with a healthy receiver (the baseline works at all)', async () => {
    const { rx, sdk, pool } = await setup();
    expect((await run(pool, 200)).failed).toBe(0);
    await sdk.forceFlush();
    await rx.waitFor(() => rx.spans.length > 0 && rx.logs.length > 0, 5_000, 'spans and logs to arrive');
    expect(rx.spans.some((s) => s.kind === 'SERVER' && s.name === 'GET /*')).toBe(true);
  });

  it('drops and counts spans and logs when the collector stalls, and serves every request meanwhile', async () => {
    const { rx, sdk, sc, pool } = await setup();
    expect((await run(pool, 100)).failed).toBe(0);
    // Everything so far is exported to the healthy collector before it stalls, so
    // what is dropped next is the stalled phase's own.
    await sdk.forceFlush();
    rx.mode = 'stall';
    const before = await dropped(sc);
    const requestsBefore = rx.requests.traces;
    const spansBefore = rx.spans.length;
    const logsBefore = rx.logs.length;
    const processBefore = processRecords.count;
    const stalled = await run(pool, REQUESTS);
    expect(stalled.failed).toBe(0);
    expect(rx.requests.traces).toBeGreaterThan(requestsBefore); // the exporter did try
    expect(rx.spans.length).toBe(spansBefore); // and none of its exports was answered

    // An independent count: the stalled phase ended REQUESTS x 7 spans and REQUESTS
    // access records, plus the process records it logged (export-failure warnings). Once the collector answers again and the queue is flushed,
    // each was either received or dropped (a stalled export fails after its 1 s
    // timeout): dropped (from the scrape) + received = ended, exactly.
    rx.mode = 'ok';
    await sdk.forceFlush();
    const ended = {
      traces: REQUESTS * SPANS_PER_REQUEST,
      logs: REQUESTS + processRecords.count - processBefore,
    };
    const accounted = async () => {
      const d = await dropped(sc);
      return {
        traces: d.traces - before.traces + rx.spans.length - spansBefore,
        logs: d.logs - before.logs + rx.logs.length - logsBefore,
      };
    };
    const settled = await eventually(accounted, (a) => a.traces >= ended.traces && a.logs >= ended.logs);
    expect(settled).toEqual(ended);
    expect((await dropped(sc)).traces - before.traces).toBeGreaterThan(ended.traces / 2);
  });

  it('keeps serving while the collector answers 503 (the exporter retries in the background)', async () => {
    const { rx, pool } = await setup();
    rx.mode = 'unavailable';
    expect((await run(pool, REQUESTS / 4)).failed).toBe(0);
    await rx.waitFor(() => rx.requests.traces > 0, 10_000, 'an export attempt');
    expect(rx.spans).toEqual([]);
  });

  it('serves every request with the collector down (connections refused), counting the drops', async () => {
    const { rx, sc, pool } = await setup();
    await rx.close(); // the endpoint is now a closed port
    const before = await dropped(sc);
    expect((await run(pool, REQUESTS)).failed).toBe(0);
    // Nothing can be exported: once the failing exports have called back, everything
    // but what is still queued is dropped, and never more than was ended.
    const ended = REQUESTS * SPANS_PER_REQUEST;
    const after = await eventually(
      () => dropped(sc),
      (d) => d.traces - before.traces >= ended - QUEUE && d.logs - before.logs >= REQUESTS - QUEUE,
    );
    expect(after.traces - before.traces).toBeLessThanOrEqual(ended);
    // At most every access record and every process record of this sidecar: its start-up
    // records were still queued when the endpoint closed, so they may be dropped here too.
    expect(after.logs - before.logs).toBeLessThanOrEqual(REQUESTS + processRecords.count);
  });
});
