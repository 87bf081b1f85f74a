/**
 * Graceful shutdown (what SIGTERM triggers): readiness fails at once, the
 * listener stops accepting, requests in flight finish, requests arriving on
 * open connections are told to close, and the result reports what was cut off.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { recordingObserver, startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import { connectRaw, parseRaw, readUntilClose } from '../helpers/upstreams.ts';

const demo = useDemoUpstream();
const cleanup = useCleanup();

async function sidecar(): Promise<TestSidecar> {
  const sc = await startSidecar(demo.url);
  cleanup.push(() => sc.close());
  return sc;
}

/** Waits until the proxy has `n` requests in flight. */
async function untilInflight(sc: TestSidecar, n: number): Promise<void> {
  const deadline = performance.now() + 5000;
  while (sc.app.store.inflight < n) {
    if (performance.now() > deadline) throw new Error(`never reached ${n} requests in flight`);
    await sleep(5);
  }
}

/** Fresh connections per request, so each slow request holds its own. */
function agent(): Agent {
  const a = new Agent({ connections: 10 });
  cleanup.push(() => a.close());
  return a;
}

async function getText(url: string, dispatcher: Agent) {
  const res = await request(url, { dispatcher });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

describe('graceful shutdown', () => {
  it('fails readiness at once, refuses new connections and completes requests in flight', async () => {
    const sc = await sidecar();
    const a = agent();
    const ready = await request(`${sc.adminUrl}/readyz`);
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();

    const inflight = [1, 2, 3].map(() => getText(`${sc.url}/slow?ms=800`, a));
    await untilInflight(sc, 3);
    const shutdown = sc.app.shutdown(10_000);

    const readyz = await request(`${sc.adminUrl}/readyz`);
    expect(readyz.statusCode).toBe(503);
    expect(await readyz.body.json()).toEqual({ status: 'draining' });
    await expect(connectRaw(sc.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    for (const res of await Promise.all(inflight)) {
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ waited: 800 });
    }
    const result = await shutdown;
    expect(result.abandoned).toBe(0);
  });

  it('answers a request arriving on an open connection during the drain with connection: close', async () => {
    const sc = await sidecar();
    const socket = await connectRaw(sc.url);
    const received = readUntilClose(socket);
    socket.write('GET /slow?ms=600 HTTP/1.1\r\nhost: t\r\n\r\n');
    await untilInflight(sc, 1);
    const shutdown = sc.app.shutdown(10_000);
    // The connection is busy, so the drain keeps it; a second request follows on it.
    socket.write('GET /api/items/5 HTTP/1.1\r\nhost: t\r\n\r\n');
    const raw = await received;
    const second = raw.indexOf('HTTP/1.1', 1);
    expect(second).toBeGreaterThan(0);
    const first = parseRaw(raw.slice(0, second));
    const next = parseRaw(raw.slice(second));
    expect(first.status).toBe(200);
    expect(next.status).toBe(200);
    expect(next.header('connection')).toBe('close');
    expect(JSON.parse(next.body).id).toBe(5);
    expect((await shutdown).abandoned).toBe(0);
  });

  it('closes idle keep-alive connections when the drain starts', async () => {
    const sc = await sidecar();
    const socket = await connectRaw(sc.url);
    socket.on('error', () => {});
    socket.write('GET /api/items/1 HTTP/1.1\r\nhost: t\r\n\r\n');
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: keep-alive/i);
    const closed = once(socket, 'close');
    expect((await sc.app.shutdown(10_000)).abandoned).toBe(0);
    await closed;
  });

  it('answers an abandoned request 503 draining when the drain timeout is shorter than it', async () => {
    const observer = recordingObserver();
    const sc = await startSidecar(demo.url, {}, { observer });
    cleanup.push(() => sc.close());
    const pending = getText(`${sc.url}/slow?ms=5000`, agent());
    await untilInflight(sc, 1);
    const result = await sc.app.shutdown(200);
    expect(result.abandoned).toBe(1);
    // Cut off by the proxy, not by the upstream: recorded and answered as draining.
    const res = await pending;
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ reason: 'draining' });
    expect(await observer.next()).toMatchObject({ status: 503, reason: 'draining' });
  });

  it('cuts an abandoned response mid-body and records it as draining', async () => {
    const observer = recordingObserver();
    const sc = await startSidecar(demo.url, {}, { observer });
    cleanup.push(() => sc.close());
    const res = await request(`${sc.url}/slow-body?ms=100&chunks=100`, { dispatcher: agent() });
    expect(res.statusCode).toBe(200);
    const body = res.body.text();
    body.catch(() => {});
    const result = await sc.app.shutdown(200);
    expect(result.abandoned).toBe(1);
    await expect(body).rejects.toThrow();
    expect(await observer.next()).toMatchObject({ status: 200, reason: 'draining' });
  });

  it('resolves shutdown with nothing abandoned when idle', async () => {
    const sc = await sidecar();
    const result = await sc.app.shutdown(10_000);
    expect(result.abandoned).toBe(0);
    // Shutting down twice is the same shutdown.
    expect(await sc.app.shutdown(10_000)).toBe(result);
  });
});
