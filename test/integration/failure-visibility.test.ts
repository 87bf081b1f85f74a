/**
 * Issue #9 (items 3, 6, 7): no failure is invisible. A failure after the
 * response head is a warning (kept for unsampled traces), marks the SERVER
 * span as an error and names its reason; an upstream failure carries its own
 * error code on the CLIENT span and in the access record; the response names
 * its trace (`traceresponse`); and every failed request can be looked up on
 * /debug/traces by request id, sampled or not.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logging.ts';
import { useCleanup, useDemoUpstream, useOtlpSdk } from '../helpers/fixtures.ts';
import { isAccessOf, type LogLine, logCollector } from '../helpers/log-collector.ts';
import type { SpanRecord } from '../helpers/otlp-receiver.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import { refusedPort, stallingUpstream, type TestServer } from '../helpers/upstreams.ts';

const otlp = useOtlpSdk({ recentTraces: 50 });
const demo = useDemoUpstream();
const cleanup = useCleanup();

async function sidecar(upstreamUrl: string, overrides: Record<string, unknown> = {}) {
  const out = logCollector();
  const log = createLogger('info', { destination: out });
  const sc = await startSidecar(upstreamUrl, overrides, { telemetry: otlp.sdk, log });
  cleanup.push(() => sc.close());
  return { sc, out };
}

async function upstream(make: () => Promise<TestServer>): Promise<TestServer> {
  const up = await make();
  cleanup.push(() => up.close());
  return up;
}

/** Sends the 200 head and part of the body, then resets the connection (RST). */
async function resetAfterHeadUpstream(): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\npartial body', () =>
        setImmediate(() => socket.resetAndDestroy()),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** GET that tolerates a cut body: returns the status and the response's trace header. */
async function send(sc: TestSidecar, path: string) {
  const requestId = randomUUID();
  const res = await request(`${sc.url}${path}`, { headers: { 'x-request-id': requestId } });
  let cut = false;
  try {
    await res.body.text();
  } catch {
    cut = true;
  }
  return { requestId, status: res.statusCode, cut, traceresponse: res.headers.traceresponse as string };
}

async function serverSpan(requestId: string): Promise<SpanRecord> {
  return otlp.rx.waitFor(
    () =>
      otlp.rx.spans.find((s) => s.kind === 'SERVER' && s.attributes['sidelight.request_id'] === requestId),
    10_000,
    `SERVER span of ${requestId}`,
  );
}

async function debugTrace(sc: TestSidecar, query: string) {
  const res = await request(`${sc.adminUrl}/debug/traces?${query}`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('a failure after the response head', () => {
  it('is a warn access record with its reason, kept although the trace is not sampled', async () => {
    const up = await upstream(resetAfterHeadUpstream);
    const { sc, out } = await sidecar(up.url, { telemetry: { sampling: 0 } });
    const sent = await send(sc, '/download');
    expect(sent.status).toBe(200);
    expect(sent.cut).toBe(true);
    const rec: LogLine = await out.waitFor(isAccessOf(sent.requestId), 'access record');
    expect(rec).toMatchObject({
      level: 'warn',
      status: 200,
      reason: 'upstream_reset',
      path: '/download',
      route: '/*',
      trace_flags: '00',
    });
    expect(String(rec.error_code)).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(String(rec.error)).toContain('(');
  });

  it('marks the SERVER span as an error with error.type, and the CLIENT span with an exception event', async () => {
    const up = await upstream(resetAfterHeadUpstream);
    const { sc } = await sidecar(up.url, { telemetry: { sampling: 1 } });
    const sent = await send(sc, '/download');
    const server = await serverSpan(sent.requestId);
    expect(server.status.code).toBe('ERROR');
    expect(server.attributes['error.type']).toBe('upstream_reset');
    expect(server.attributes['http.response.status_code']).toBe(200);
    const client = otlp.rx.trace(server.traceId).find((s) => s.kind === 'CLIENT')!;
    expect(client.status.code).toBe('ERROR');
    const exception = client.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.type']).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(exception?.timeNs).toBe(client.endNs);
  });

  it('names the body timeout that fired and its value', async () => {
    const up = await upstream(stallingUpstream);
    const { sc, out } = await sidecar(up.url, {
      telemetry: { sampling: 0 },
      timeouts: { bodyIdle: '150ms' },
    });
    const sent = await send(sc, '/stall');
    expect(sent.cut).toBe(true);
    const rec = await out.waitFor(isAccessOf(sent.requestId), 'access record');
    expect(rec).toMatchObject({ level: 'warn', reason: 'upstream_timeout' });
    expect(rec.error).toContain('(bodyIdle 150 ms)');
  });
});

describe('failure detail a person can act on', () => {
  it('carries ECONNREFUSED on the CLIENT span and in the access record', async () => {
    const { sc, out } = await sidecar(await refusedPort(), { telemetry: { sampling: 1 } });
    const sent = await send(sc, '/x?secret=1');
    expect(sent.status).toBe(502);
    const rec = await out.waitFor(isAccessOf(sent.requestId), 'access record');
    expect(rec).toMatchObject({ reason: 'upstream_connect_failed', error_code: 'ECONNREFUSED', path: '/x' });
    const server = await serverSpan(sent.requestId);
    const client = otlp.rx.trace(server.traceId).find((s) => s.kind === 'CLIENT')!;
    const exception = client.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'ECONNREFUSED' });
    expect(String(exception.attributes['exception.message'])).toContain('ECONNREFUSED');
  });
});

describe('traceresponse', () => {
  it('names the SERVER span of a proxied request and of a local reply', async () => {
    const { sc } = await sidecar(demo.url, {
      telemetry: { sampling: 1 },
      routes: [{ name: 'items', match: { path: '/api/items/:id' } }],
    });
    for (const path of ['/api/items/3', '/nowhere']) {
      const sent = await send(sc, path);
      const server = await serverSpan(sent.requestId);
      expect(sent.traceresponse).toBe(`00-${server.traceId}-${server.spanId}-01`);
    }
  });

  it('says -00 for an unsampled trace, and goes when configured off', async () => {
    const on = await sidecar(demo.url, { telemetry: { sampling: 0 } });
    expect((await send(on.sc, '/api/items/1')).traceresponse).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const off = await sidecar(demo.url, { telemetry: { traceResponseHeader: '' } });
    expect((await send(off.sc, '/api/items/1')).traceresponse).toBeUndefined();
    const renamed = await sidecar(demo.url, { telemetry: { traceResponseHeader: 'x-trace' } });
    const res = await request(`${renamed.sc.url}/api/items/1`);
    await res.body.text();
    expect(res.headers['x-trace']).toMatch(/^00-[0-9a-f]{32}-/);
  });
});

describe('every failed request can be found on /debug/traces', () => {
  it('finds an unsampled failed request by request id and by the trace id its response named', async () => {
    const { sc } = await sidecar(await refusedPort(), { telemetry: { sampling: 0 } });
    const sent = await send(sc, '/a');
    const traceId = sent.traceresponse.split('-')[1]!;
    const byRequest = await debugTrace(sc, `request_id=${sent.requestId}`);
    expect(byRequest.status).toBe(200);
    expect(byRequest.body).toMatchObject({
      trace_id: traceId,
      request_id: sent.requestId,
      sampled: false,
      status_code: 502,
      error_type: 'upstream_connect_failed',
    });
    const spans = byRequest.body.spans as { name: string; kind: string }[];
    expect(spans.map((s) => s.kind)).toContain('CLIENT');
    expect(spans.map((s) => s.name)).toContain('sidelight.upstream');
    expect((await debugTrace(sc, `trace_id=${traceId}`)).body.request_id).toBe(sent.requestId);
  });

  it('keeps no unsampled request that went well, and answers 404 for it', async () => {
    const { sc, out } = await sidecar(demo.url, { telemetry: { sampling: 0 } });
    const sent = await send(sc, '/api/items/5');
    expect(sent.status).toBe(200);
    // A later request that fails is logged: once its record is written, the first one has long finished.
    const marker = await send(sc, '/status/503');
    await out.waitFor(isAccessOf(marker.requestId), 'access record of the failed request');
    expect(out.lines.filter(isAccessOf(sent.requestId))).toEqual([]);
    expect((await debugTrace(sc, `request_id=${sent.requestId}`)).status).toBe(404);
  });
});
