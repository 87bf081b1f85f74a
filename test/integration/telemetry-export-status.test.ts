/**
 * Where telemetry goes, and when it fails (issue 9, item 5). A real OTLP
 * receiver answers 503, or nothing listens at the endpoint: requests are not
 * affected, the failures are logged at warn at most once per signal per
 * interval with the counts since the previous record, and `/healthz?verbose`
 * shows each signal's exporter state; when the receiver recovers, the state
 * says so. The report interval is stepped on an injected clock, and every
 * export is an explicit flush (the batch timer is set far out), so nothing
 * here waits on wall-clock time.
 */
import type { DestinationStream } from 'pino';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logging.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { useDemoUpstream } from '../helpers/fixtures.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import { refusedPort } from '../helpers/upstreams.ts';

const demo = useDemoUpstream();
/** SERVER, CLIENT and the five phase spans (accept, route, upstream, respond, finish). */
const SPANS_PER_REQUEST = 7;
const INTERVAL = 30_000;
const savedTimeout = process.env.OTEL_EXPORTER_OTLP_TIMEOUT;

beforeAll(() => {
  // A 503 is retried with ~1 s backoff inside the export timeout: 400 ms leaves no room for a retry.
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '400';
});
afterAll(() => {
  if (savedTimeout === undefined) delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
  else process.env.OTEL_EXPORTER_OTLP_TIMEOUT = savedTimeout;
});

type Rec = Record<string, unknown>;
interface Harness {
  sdk: TelemetrySdk;
  sc: TestSidecar;
  records: Rec[];
  clock: { now: number };
}
let live: { h?: Harness; rx?: OtlpReceiver } = {};

afterEach(async () => {
  await live.h?.sc.close();
  await live.h?.sdk.shutdown();
  await live.rx?.close();
  live = {};
});

async function start(endpoint: string): Promise<Harness> {
  const records: Rec[] = [];
  const capture: DestinationStream = { write: (line: string) => void records.push(JSON.parse(line) as Rec) };
  const clock = { now: Date.parse('2026-12-01T12:00:00.000Z') };
  const sdk = startTelemetrySdk({
    recentTraces: 0,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    batch: { scheduledDelayMillis: 3_600_000 },
    now: () => clock.now,
  });
  const sc = await startSidecar(
    demo.url,
    { telemetry: { sampling: 1 } },
    { telemetry: sdk, log: createLogger('info', { destination: capture, otel: sdk.otelLogger }) },
  );
  live.h = { sdk, sc, records, clock };
  return live.h;
}

/** One proxied request, then an export of everything queued. */
async function requestAndFlush(h: Harness): Promise<number> {
  const res = await request(`${h.sc.url}/api/items/1`);
  await res.body.text();
  await h.sdk.forceFlush();
  return res.statusCode;
}

async function health(h: Harness): Promise<{ status: string; telemetry: Record<string, Rec> }> {
  const res = await request(`${h.sc.adminUrl}/healthz?verbose`);
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as { status: string; telemetry: Record<string, Rec> };
}

const warnings = (h: Harness, signal: string) =>
  h.records.filter((r) => r.level === 'warn' && r.signal === signal);

describe('export failures', () => {
  it('are logged once per signal per interval with the counts, shown on /healthz?verbose, and recovery is shown', async () => {
    const rx = await startOtlpReceiver();
    live.rx = rx;
    const h = await start(rx.url);
    // Where each signal goes: one record at start-up.
    const dest = h.records.find((r) => typeof r.msg === 'string' && r.msg.startsWith('telemetry: '));
    expect(dest?.telemetry).toEqual({
      traces: `${rx.url}/v1/traces`,
      logs: `stdout, ${rx.url}/v1/logs`,
      metrics: `${h.sc.adminUrl}/metrics`,
    });

    rx.mode = 'unavailable';
    const t0 = h.clock.now;
    expect(await requestAndFlush(h)).toBe(200);
    const first = warnings(h, 'traces');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      destination: `${rx.url}/v1/traces`,
      failed_exports: 1,
      dropped: SPANS_PER_REQUEST,
    });
    expect(String(first[0]!.error)).toMatch(/retryable|503/i);
    expect(warnings(h, 'logs')).toHaveLength(1);

    // Within the interval: failures are counted, not logged.
    for (const at of [1_000, 10_000, INTERVAL - 1]) {
      h.clock.now = t0 + at;
      expect(await requestAndFlush(h)).toBe(200);
    }
    expect(warnings(h, 'traces')).toHaveLength(1);
    const failing = (await health(h)).telemetry;
    expect(failing.traces).toMatchObject({
      destination: `${rx.url}/v1/traces`,
      state: 'failing',
      exported: 0,
      failed_exports: 4,
      dropped: 4 * SPANS_PER_REQUEST,
      last_failure_at: new Date(t0 + INTERVAL - 1).toISOString(),
    });
    expect(failing.traces!.last_success_at).toBeUndefined();
    expect(failing.logs).toMatchObject({ state: 'failing', failed_exports: 4 });
    expect(failing.metrics).toMatchObject({ destination: `${h.sc.adminUrl}/metrics`, state: 'pull' });

    // The interval has passed: the next failure is logged with what failed meanwhile.
    h.clock.now = t0 + INTERVAL;
    expect(await requestAndFlush(h)).toBe(200);
    const second = warnings(h, 'traces');
    expect(second).toHaveLength(2);
    expect(second[1]).toMatchObject({ failed_exports: 4, dropped: 4 * SPANS_PER_REQUEST });

    // The receiver recovers.
    rx.mode = 'ok';
    h.clock.now = t0 + INTERVAL + 1_000;
    expect(await requestAndFlush(h)).toBe(200);
    await rx.waitFor(() => rx.spans.length >= SPANS_PER_REQUEST);
    const recovered = (await health(h)).telemetry;
    expect(recovered.traces).toMatchObject({
      state: 'ok',
      exported: SPANS_PER_REQUEST,
      failed_exports: 5,
      last_success_at: new Date(h.clock.now).toISOString(),
    });
    expect(recovered.logs).toMatchObject({ state: 'ok' });
    expect(
      h.records.filter(
        (r) => r.level === 'info' && r.signal === 'traces' && String(r.msg).endsWith('recovered'),
      ),
    ).toHaveLength(1);
  });

  it('to an endpoint where nothing listens say so (ECONNREFUSED) and do not fail requests', async () => {
    const down = await refusedPort();
    const h = await start(down);
    for (let i = 0; i < 3; i++) expect(await requestAndFlush(h)).toBe(200);
    const warned = warnings(h, 'traces');
    expect(warned).toHaveLength(1);
    expect(String(warned[0]!.error)).toMatch(/ECONNREFUSED/);
    const { status, telemetry } = await health(h);
    expect(status).toBe('ok');
    expect(telemetry.traces).toMatchObject({
      destination: `${down}/v1/traces`,
      state: 'failing',
      failed_exports: 3,
      dropped: 3 * SPANS_PER_REQUEST,
    });
    expect(String(telemetry.traces!.last_error)).toMatch(/ECONNREFUSED/);
  });
});

describe('telemetry destinations', () => {
  it('are named "off" for OTLP signals when no endpoint is set, and /healthz stays terse without ?verbose', async () => {
    const records: Rec[] = [];
    const capture: DestinationStream = {
      write: (line: string) => void records.push(JSON.parse(line) as Rec),
    };
    const sc = await startSidecar(demo.url, {}, { log: createLogger('info', { destination: capture }) });
    try {
      expect(records.find((r) => r.telemetry !== undefined)?.telemetry).toEqual({
        traces: 'off',
        logs: 'stdout',
        metrics: `${sc.adminUrl}/metrics`,
      });
      const terse = await request(`${sc.adminUrl}/healthz`);
      expect(await terse.body.json()).toEqual({ status: 'ok' });
      await (await request(`${sc.adminUrl}/metrics`)).body.text();
      const verbose = (await (await request(`${sc.adminUrl}/healthz?verbose`)).body.json()) as {
        telemetry: Record<string, Rec>;
      };
      expect(verbose.telemetry.traces).toMatchObject({ destination: 'off', state: 'off' });
      expect(verbose.telemetry.metrics).toMatchObject({ scrapes: 1 });
    } finally {
      await sc.close();
    }
  });
});
