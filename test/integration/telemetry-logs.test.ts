/**
 * The access log: one JSON record per request with the trace context, written
 * only for sampled traces (warnings kept when `keepWarnings`), and the same
 * records exported as OTLP logs linked to the request's trace.
 */
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logging.ts';
import { useCleanup, useDemoUpstream, useOtlpSdk } from '../helpers/fixtures.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

const otlp = useOtlpSdk({ recentTraces: 0 });
const demo = useDemoUpstream();
const cleanup = useCleanup();

type Line = Record<string, unknown>;

/** A pino destination that keeps every record (what would go to stdout). */
function collector(): DestinationStream & { lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    write(s: string) {
      lines.push(JSON.parse(s) as Line);
    },
  };
}

const ITEMS = { name: 'items', match: { path: '/api/items/:id' } };
const REST = { name: 'rest', match: { path: '/*' } };

async function sidecar(
  telemetry: Record<string, unknown>,
  exportLogs = false,
  routes: object[] = [ITEMS, REST],
) {
  const out = collector();
  const log = createLogger('info', { destination: out, otel: exportLogs ? otlp.sdk.otelLogger : undefined });
  const sc = await startSidecar(demo.url, { telemetry, routes }, { telemetry: otlp.sdk, log });
  cleanup.push(() => sc.close());
  return { sc, lines: out.lines };
}

async function send(sc: TestSidecar, path: string, body?: string) {
  const requestId = randomUUID();
  const res = await request(`${sc.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-request-id': requestId },
    ...(body === undefined ? {} : { body }),
  });
  await res.body.text();
  return { status: res.statusCode, requestId };
}

const accessOf = (lines: Line[], requestId: string): Line[] =>
  lines.filter((l) => l.msg === 'access' && l.request_id === requestId);

/** The access record is written as the request finishes; wait for the SERVER span export as the marker. */
async function serverSpan(requestId: string) {
  return otlp.rx.waitFor(
    () =>
      otlp.rx.spans.find((s) => s.kind === 'SERVER' && s.attributes['sidelight.request_id'] === requestId),
    5_000,
    `SERVER span of ${requestId}`,
  );
}

describe('access log on stdout', () => {
  it('writes one record per sampled request with the request, upstream and trace fields', async () => {
    const { sc, lines } = await sidecar({ sampling: 1 });
    const sentAt = performance.now();
    const sent = await send(sc, '/api/items/4');
    const clientMs = performance.now() - sentAt;
    const span = await serverSpan(sent.requestId);
    const records = accessOf(lines, sent.requestId);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toMatchObject({
      level: 'info',
      msg: 'access',
      service: 'sidelight',
      method: 'GET',
      route: '/api/items/:id',
      route_name: 'items',
      status: 200,
      bytes_in: 0,
      bytes_out: 1024,
      upstream: new URL(demo.url).host,
      attempts: 1,
      trace_id: span.traceId,
      span_id: span.spanId,
      trace_flags: '01',
    });
    expect(r.reason).toBeUndefined();
    expect(typeof r.duration_ms).toBe('number');
    expect(r.duration_ms as number).toBeGreaterThan(0);
    // Inside the client's own round trip (a relation, not a budget).
    expect(r.duration_ms as number).toBeLessThanOrEqual(clientMs);
    expect(typeof r.time).toBe('string');
  });

  it('counts request body bytes and records the reason of a local reply', async () => {
    const { sc, lines } = await sidecar({ sampling: 1 }, false, [
      ITEMS,
      { name: 'echo', match: { path: '/echo' } },
    ]);
    const posted = await send(sc, '/echo', 'x'.repeat(300));
    await serverSpan(posted.requestId);
    expect(accessOf(lines, posted.requestId)[0]).toMatchObject({
      method: 'POST',
      status: 200,
      bytes_in: 300,
    });

    const sent = await send(sc, '/nope'); // no route: a local 404
    expect(sent.status).toBe(404);
    await serverSpan(sent.requestId);
    const [r] = accessOf(lines, sent.requestId);
    expect(r).toMatchObject({
      level: 'info',
      status: 404,
      reason: 'no_route',
      route: 'unmatched',
      attempts: 0,
    });
    expect(r?.upstream).toBeUndefined();
  });

  it('writes nothing for an unsampled request', async () => {
    const { sc, lines } = await sidecar({ sampling: 0 });
    const sent = await send(sc, '/api/items/4');
    expect(sent.status).toBe(200);
    // A sampled marker through another sidecar proves the log had its chance.
    const marker = await sidecar({ sampling: 1 });
    await serverSpan((await send(marker.sc, '/api/items/1')).requestId);
    expect(lines.filter((l) => l.msg === 'access')).toEqual([]);
  });

  it('keeps the warning of an unsampled 502 when keepWarnings is on', async () => {
    const { sc, lines } = await sidecar({ sampling: 0, keepWarnings: true });
    const sent = await send(sc, '/status/502');
    expect(sent.status).toBe(502);
    const records = accessOf(lines, sent.requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'warn', status: 502, reason: '502', trace_flags: '00' });
    expect(records[0]!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(records[0]!.trace_id).not.toBe('0'.repeat(32));
  });

  it('drops the warning of an unsampled 502 when keepWarnings is off', async () => {
    const { sc, lines } = await sidecar({ sampling: 0, keepWarnings: false });
    expect((await send(sc, '/status/502')).status).toBe(502);
    const kept = await sidecar({ sampling: 0, keepWarnings: true });
    const marker = await send(kept.sc, '/status/502');
    expect(accessOf(kept.lines, marker.requestId)).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'access')).toEqual([]);
  });
});

describe('access log over OTLP', () => {
  it('exports the same record as an OTLP log carrying the trace id and span id of the request', async () => {
    const { sc, lines } = await sidecar({ sampling: 1 }, true);
    const sent = await send(sc, '/api/items/9');
    const span = await serverSpan(sent.requestId);
    const log = await otlp.rx.waitFor(
      () => otlp.rx.logs.find((l) => l.attributes.request_id === sent.requestId),
      5_000,
      'the OTLP access log record',
    );
    expect(log).toMatchObject({
      traceId: span.traceId,
      spanId: span.spanId,
      severityText: 'INFO',
      body: 'access',
    });
    expect(log.attributes).toMatchObject({
      method: 'GET',
      route: '/api/items/:id',
      status: 200,
      upstream: new URL(demo.url).host,
      attempts: 1,
    });
    // Exactly once: no second exporter configured behind the SDK's back.
    await otlp.sdk.forceFlush();
    expect(otlp.rx.logs.filter((l) => l.attributes.request_id === sent.requestId)).toHaveLength(1);
    expect(accessOf(lines, sent.requestId)).toHaveLength(1);
  });

  it('exports a kept warning of an unsampled trace, and nothing of an unsampled success', async () => {
    const { sc } = await sidecar({ sampling: 0, keepWarnings: true }, true);
    const ok = await send(sc, '/api/items/1');
    const bad = await send(sc, '/status/503');
    const warn = await otlp.rx.waitFor(
      () => otlp.rx.logs.find((l) => l.attributes.request_id === bad.requestId),
      5_000,
      'the kept warning',
    );
    expect(warn.severityText).toBe('WARN');
    expect(warn.traceId).toMatch(/^[0-9a-f]{32}$/);
    await otlp.sdk.forceFlush();
    expect(otlp.rx.logs.filter((l) => l.attributes.request_id === ok.requestId)).toEqual([]);
  });
});
