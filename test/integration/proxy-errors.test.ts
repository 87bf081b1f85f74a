import { once } from 'node:events';
/**
 * Every timeout and failure the proxy answers itself: the catalogued status,
 * the JSON body `{error, reason, request_id}` and a matching request id
 * header. Upstream failures are 502-504, never 500.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/pipeline/errors.ts';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { recordingObserver, startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import {
  blackholeUpstream,
  connectRaw,
  httpUpstream,
  parseRaw,
  rawRequest,
  rawResponseUpstream,
  readUntilClose,
  refusedPort,
  resettingUpstream,
  stallingUpstream,
  type TestServer,
  unacceptingUpstream,
} from '../helpers/upstreams.ts';

const demo = useDemoUpstream();
const cleanup = useCleanup();

async function sidecar(upstreamUrl: string, overrides: Record<string, unknown> = {}) {
  const observer = recordingObserver();
  const sc = await startSidecar(upstreamUrl, overrides, { observer });
  cleanup.push(() => sc.close());
  return { sc, observer };
}

async function upstream(make: () => Promise<TestServer>): Promise<TestServer> {
  const up = await make();
  cleanup.push(() => up.close());
  return up;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function get(sc: TestSidecar, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(`${sc.url}${path}`, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** The local-reply contract: status, JSON body, request id in body and header alike. */
function expectLocalReply(reply: Reply, reason: keyof typeof REASONS): void {
  expect(reply.status).toBe(REASONS[reason].status);
  expect(reply.headers['content-type']).toBe('application/json');
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  expect(body).toEqual({ error: REASONS[reason].message, reason, request_id: expect.any(String) });
  expect(body.request_id).not.toBe('');
  expect(reply.headers['x-request-id']).toBe(body.request_id);
}

function expectUpstreamFailureStatus(reply: Reply): void {
  expect(reply.status).toBeGreaterThanOrEqual(502);
  expect(reply.status).toBeLessThanOrEqual(504);
}

describe('upstream failures before the response head', () => {
  it('returns 502 upstream_connect_failed when the upstream refuses the connection', async () => {
    const { sc, observer } = await sidecar(await refusedPort());
    const reply = await get(sc, '/api/items/1', { 'x-request-id': 'req-refused-1' });
    expectLocalReply(reply, 'upstream_connect_failed');
    expectUpstreamFailureStatus(reply);
    expect(JSON.parse(reply.body).request_id).toBe('req-refused-1');
    expect(await observer.next()).toMatchObject({ status: 502, reason: 'upstream_connect_failed' });
  });

  it('returns 502 upstream_reset when the upstream resets the connection at once', async () => {
    const up = await upstream(resettingUpstream);
    const { sc, observer } = await sidecar(up.url);
    const reply = await get(sc, '/x');
    expectLocalReply(reply, 'upstream_reset');
    expectUpstreamFailureStatus(reply);
    expect(await observer.next()).toMatchObject({ status: 502, reason: 'upstream_reset' });
  });

  it('returns 502 upstream_protocol_error when the upstream answers with garbage', async () => {
    const up = await upstream(() => rawResponseUpstream('SMTP ready\r\n\r\n'));
    const { sc } = await sidecar(up.url);
    const reply = await get(sc, '/x');
    expectLocalReply(reply, 'upstream_protocol_error');
    expectUpstreamFailureStatus(reply);
  });

  it('returns 504 upstream_timeout when the upstream sends no headers in time', async () => {
    const { sc, observer } = await sidecar(demo.url, { timeouts: { responseHeaders: '200ms' } });
    // The upstream would answer 200 after 2 s: a 504 upstream_timeout is the timer's.
    const reply = await get(sc, '/slow?ms=2000');
    expectLocalReply(reply, 'upstream_timeout');
    expectUpstreamFailureStatus(reply);
    expect(await observer.next()).toMatchObject({ status: 504, reason: 'upstream_timeout' });
  });

  it('returns 504 upstream_timeout when a silent upstream exceeds the response-headers timeout', async () => {
    const up = await upstream(blackholeUpstream);
    const { sc } = await sidecar(up.url, { timeouts: { responseHeaders: '200ms' } });
    const reply = await get(sc, '/x');
    expectLocalReply(reply, 'upstream_timeout');
  });

  it('returns 504 upstream_connect_timeout when the connection cannot be established in time', async () => {
    const up = await upstream(unacceptingUpstream);
    const { sc, observer } = await sidecar(up.url, { timeouts: { connect: '200ms' } });
    const reply = await get(sc, '/x');
    expectLocalReply(reply, 'upstream_connect_timeout');
    expectUpstreamFailureStatus(reply);
    expect(await observer.next()).toMatchObject({ status: 504, reason: 'upstream_connect_timeout' });
  });

  it('returns 504 upstream_timeout when the total budget runs out before the headers', async () => {
    const { sc, observer } = await sidecar(demo.url, { timeouts: { total: '300ms' } });
    const reply = await get(sc, '/slow?ms=3000');
    expectLocalReply(reply, 'upstream_timeout');
    expect(await observer.next()).toMatchObject({ status: 504, reason: 'upstream_timeout' });
  });

  it('applies a route timeout over the default one', async () => {
    const { sc } = await sidecar(demo.url, {
      timeouts: { responseHeaders: '10s' },
      routes: [{ name: 'slow', match: { path: '/slow' }, timeouts: { responseHeaders: '200ms' } }],
    });
    expectLocalReply(await get(sc, '/slow?ms=2000'), 'upstream_timeout');
  });
});

describe('upstream failures after the response head', () => {
  it('destroys the client connection when the body goes idle, and records upstream_timeout', async () => {
    const up = await upstream(stallingUpstream);
    const { sc, observer } = await sidecar(up.url, { timeouts: { bodyIdle: '300ms' } });
    const res = await request(`${sc.url}/x`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect(await observer.next()).toMatchObject({ reason: 'upstream_timeout' });

    // On the wire: the head and 5 of 1000 promised bytes, then the connection closes.
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('GET /x HTTP/1.1\r\nhost: t\r\n\r\n');
    const raw = parseRaw(await done);
    expect(raw.status).toBe(200);
    expect(raw.header('content-length')).toBe('1000');
    expect(raw.body).toBe('hello');
  });

  it('destroys the client connection when the total budget runs out mid-body', async () => {
    const { sc, observer } = await sidecar(demo.url, { timeouts: { total: '500ms' } });
    const res = await request(`${sc.url}/slow-body?ms=150&chunks=20`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect(await observer.next()).toMatchObject({ status: 200, reason: 'upstream_timeout' });
  });
});

describe('request body idle timeout', () => {
  /** An upstream that reads the whole body before answering; `closed` tells whether each upload completed. */
  async function readingUpstream() {
    const closed: Array<Promise<boolean>> = [];
    const up = await upstream(() =>
      httpUpstream((req, res) => {
        closed.push(new Promise((done) => req.on('close', () => done(req.complete))));
        req.on('error', () => {});
        req.resume();
        req.on('end', () => res.end('done'));
      }),
    );
    return { up, closed };
  }

  it('returns 408 request_timeout and closes the connection when the client stalls mid-upload', async () => {
    const { up, closed } = await readingUpstream();
    const { sc, observer } = await sidecar(up.url, { timeouts: { bodyIdle: '300ms' } });
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('POST /upload HTTP/1.1\r\nhost: t\r\ncontent-length: 100000\r\n\r\n');
    socket.write(Buffer.alloc(1000, 0x61));
    const raw = parseRaw(await done); // the proxy closes the connection
    expectLocalReply(
      { status: raw.status, headers: Object.fromEntries(raw.headers), body: raw.body },
      'request_timeout',
    );
    expect(raw.header('connection')).toBe('close');
    expect(await observer.next()).toMatchObject({ status: 408, reason: 'request_timeout' });
    expect(await closed[0]).toBe(false); // the upstream saw the upload cut off
  });

  it('keeps a slow but steady upload going past the idle timeout', async () => {
    const { up } = await readingUpstream();
    const { sc } = await sidecar(up.url, { timeouts: { bodyIdle: '400ms' } });
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('POST /upload HTTP/1.1\r\nhost: t\r\ncontent-length: 10\r\nconnection: close\r\n\r\n');
    for (let i = 0; i < 10; i++) {
      socket.write('x');
      await sleep(100);
    }
    const raw = parseRaw(await done);
    expect(raw.status).toBe(200);
    expect(raw.body).toBe('done');
  });

  it('returns 504 upstream_timeout when the upstream stops reading the upload', async () => {
    const up = await upstream(() => httpUpstream((req) => req.on('error', () => {}).pause()));
    const { sc, observer } = await sidecar(up.url, { timeouts: { bodyIdle: '300ms' } });
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('POST /upload HTTP/1.1\r\nhost: t\r\ncontent-length: 67108864\r\n\r\n');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    // Keep sending until every buffer between here and the upstream is full (the
    // kernel's loopback buffers alone can hold several MiB): then the proxy has
    // stopped reading, and the stall is the upstream's, not the client's.
    for (;;) {
      if (socket.write(chunk)) continue;
      const drained = await Promise.race([
        once(socket, 'drain').then(() => true),
        sleep(150).then(() => false),
      ]);
      if (!drained) break;
    }
    const raw = parseRaw(await done);
    expectLocalReply(
      { status: raw.status, headers: Object.fromEntries(raw.headers), body: raw.body },
      'upstream_timeout',
    );
    expect(await observer.next()).toMatchObject({ status: 504, reason: 'upstream_timeout' });
  });
});

describe('requests the proxy answers without the upstream', () => {
  const routes = [
    { name: 'items', match: { path: '/api/items/:id', methods: ['GET'] } },
    { name: 'orders', match: { path: '/api/orders', methods: ['POST', 'PUT'] } },
  ];

  it('returns 404 no_route when no route matches the path', async () => {
    const { sc, observer } = await sidecar(demo.url, { routes });
    expectLocalReply(await get(sc, '/nowhere'), 'no_route');
    expect(await observer.next()).toMatchObject({ status: 404, reason: 'no_route' });
  });

  it('returns 405 method_not_allowed with Allow when only the method does not match', async () => {
    const { sc } = await sidecar(demo.url, { routes });
    const res = await request(`${sc.url}/api/orders`);
    const reply = { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    expectLocalReply(reply, 'method_not_allowed');
    expect(reply.headers.allow).toBe('POST, PUT');
    const del = await request(`${sc.url}/api/items/1`, { method: 'DELETE' });
    await del.body.dump();
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET');
  });

  it('returns 400 path_not_normalizable for paths that climb above the root or encode a slash', async () => {
    const { sc, observer } = await sidecar(demo.url);
    for (const path of ['/a/%2e%2e/%2e%2e/x', '/%2F', '/a%5cb', '/a/%zz']) {
      const raw = await rawRequest(sc.url, `GET ${path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n`);
      const reply = { status: raw.status, headers: Object.fromEntries(raw.headers), body: raw.body };
      expectLocalReply(reply, 'path_not_normalizable');
      expect(await observer.next()).toMatchObject({ status: 400, reason: 'path_not_normalizable', path });
    }
  });

  it('returns 400 bad_request JSON for a malformed request line', async () => {
    const { sc } = await sidecar(demo.url);
    const raw = await rawRequest(sc.url, 'GARBAGE\r\n\r\n');
    expectLocalReply(
      { status: raw.status, headers: Object.fromEntries(raw.headers), body: raw.body },
      'bad_request',
    );
    expect(raw.header('connection')).toBe('close');
  });

  it('returns 431 headers_too_large JSON when the header section overflows', async () => {
    const { sc } = await sidecar(demo.url);
    const raw = await rawRequest(sc.url, `GET / HTTP/1.1\r\nhost: t\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const reply = { status: raw.status, headers: Object.fromEntries(raw.headers), body: raw.body };
    expectLocalReply(reply, 'headers_too_large');
  });
});
