/**
 * Either side going away mid-exchange. A client that leaves cancels the
 * upstream request and is recorded as 499 (never blamed on the upstream); an
 * upstream that dies mid-body never looks like a complete response.
 */
import { once } from 'node:events';
import type http from 'node:http';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { recordingObserver, startSidecar } from '../helpers/sidelight.ts';
import { connectRaw, httpUpstream, parseRaw, readUntilClose, type TestServer } from '../helpers/upstreams.ts';

const demo = useDemoUpstream();
const cleanup = useCleanup();

async function sidecar(upstreamUrl: string) {
  const observer = recordingObserver();
  const sc = await startSidecar(upstreamUrl, {}, { observer });
  cleanup.push(() => sc.close());
  return { sc, observer };
}

/** What an upstream handler saw of one request. */
interface Watched {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** Resolves when the exchange closes; `finished` tells whether the response was completed. */
  readonly closed: Promise<{ finished: boolean; requestComplete: boolean }>;
}

/** An upstream whose requests can be watched; `handle` produces the response. */
async function watchedUpstream(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer & { next(): Promise<Watched> }> {
  const waiting: Array<(w: Watched) => void> = [];
  const up = await httpUpstream((req, res) => {
    const closed = once(res, 'close').then(() => ({
      finished: res.writableFinished,
      requestComplete: req.complete,
    }));
    waiting.shift()?.({ req, res, closed });
    handle(req, res);
  });
  cleanup.push(() => up.close());
  return {
    ...up,
    next: () => new Promise<Watched>((resolve) => waiting.push(resolve)),
  };
}

/** Writes a line every 20 ms for `total` lines, then ends. */
function trickle(total: number) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let n = 0;
    const timer = setInterval(() => {
      if (++n === total) {
        clearInterval(timer);
        res.end(`line ${n}\n`);
      } else res.write(`line ${n}\n`);
    }, 20);
    res.on('close', () => clearInterval(timer));
  };
}

describe('client goes away', () => {
  it('cancels the upstream request and records 499 when the client disconnects mid-response', async () => {
    const up = await watchedUpstream(trickle(500));
    const { sc, observer } = await sidecar(up.url);
    const seen = up.next();
    const res = await request(`${sc.url}/stream`);
    expect(res.statusCode).toBe(200);
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    res.body.destroy();
    const watched = await seen;
    const { finished } = await watched.closed;
    expect(finished).toBe(false);
    expect(await observer.next()).toMatchObject({ status: 499, reason: 'client_closed' });
  });

  it('cancels the upstream request and records 499 when the client leaves before the response head', async () => {
    const up = await watchedUpstream(() => {}); // never answers
    const { sc, observer } = await sidecar(up.url);
    const seen = up.next();
    const controller = new AbortController();
    const pending = request(`${sc.url}/wait`, { signal: controller.signal });
    const watched = await seen;
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect((await watched.closed).finished).toBe(false);
    expect(await observer.next()).toMatchObject({ status: 499, reason: 'client_closed' });
  });

  it('aborts the upstream request and records 499 when the client disconnects mid-upload', async () => {
    const up = await watchedUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.end('got it'));
    });
    const { sc, observer } = await sidecar(up.url);
    const seen = up.next();
    const socket = await connectRaw(sc.url);
    socket.on('error', () => {});
    socket.write('POST /upload HTTP/1.1\r\nhost: t\r\ncontent-length: 1000000\r\n\r\n');
    socket.write(Buffer.alloc(64 * 1024, 1));
    const watched = await seen;
    // The upstream is receiving the body; now the client vanishes.
    await once(watched.req, 'data');
    socket.destroy();
    const closed = await watched.closed;
    expect(closed.requestComplete).toBe(false);
    expect(closed.finished).toBe(false);
    expect(await observer.next()).toMatchObject({ status: 499, reason: 'client_closed' });
  });

  it('keeps serving after clients left', async () => {
    const { sc } = await sidecar(demo.url);
    for (let i = 0; i < 3; i++) {
      const res = await request(`${sc.url}/slow-body?ms=50&chunks=20`);
      res.body.destroy();
    }
    const ok = await request(`${sc.url}/api/items/3`);
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as { id: number }).id).toBe(3);
  });
});

describe('upstream answers before the upload is complete', () => {
  it('closes the client connection after the response instead of leaving the unread body on it', async () => {
    const up = await watchedUpstream((_req, res) => {
      res.writeHead(413, { 'content-type': 'text/plain', 'content-length': 8 });
      res.end('too big\n');
    });
    const { sc, observer } = await sidecar(up.url);
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('POST /upload HTTP/1.1\r\nhost: t\r\ncontent-length: 10000000\r\n\r\n');
    socket.write(Buffer.alloc(256 * 1024, 0x61));
    const res = parseRaw(await done);
    expect(res.status).toBe(413);
    expect(res.header('connection')).toBe('close');
    expect(res.body).toBe('too big\n');
    expect(await observer.next()).toMatchObject({ status: 413 });
  });

  it('serves the next request of the same client after an upstream rejected an upload early', async () => {
    const { sc } = await sidecar(demo.url);
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    for (let i = 0; i < 3; i++) {
      const rejected = await request(`${sc.url}/api/orders`, { method: 'POST', body: big });
      expect(rejected.statusCode).toBe(413);
      await rejected.body.dump();
      const next = await request(`${sc.url}/api/items/${i}`, { headersTimeout: 3000 });
      expect(next.statusCode).toBe(200);
      await next.body.dump();
    }
  });
});

describe('upstream dies mid-body', () => {
  it('makes the client body fail, never complete, and records upstream_reset', async () => {
    const { sc, observer } = await sidecar(demo.url);
    const res = await request(`${sc.url}/reset-mid-body?bytes=5000`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('10000');
    let received = 0;
    const consume = async (): Promise<void> => {
      for await (const chunk of res.body) received += (chunk as Buffer).length;
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toBeLessThan(10_000);
    expect(await observer.next()).toMatchObject({ reason: 'upstream_reset' });
  });

  it('closes the raw connection short of the content-length', async () => {
    const { sc } = await sidecar(demo.url);
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('GET /reset-mid-body?bytes=5000 HTTP/1.1\r\nhost: t\r\n\r\n');
    const res = parseRaw(await done);
    expect(res.status).toBe(200);
    expect(res.header('content-length')).toBe('10000');
    expect(res.body.length).toBeLessThan(10_000);
  });

  it('closes the raw connection without the terminating chunk of a chunked body', async () => {
    const up = await watchedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial', () => setTimeout(() => res.socket?.destroy(), 50));
    });
    const { sc, observer } = await sidecar(up.url);
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write('GET /chunked HTTP/1.1\r\nhost: t\r\n\r\n');
    const res = parseRaw(await done);
    expect(res.status).toBe(200);
    expect(res.header('transfer-encoding')).toBe('chunked');
    expect(res.body).toContain('partial');
    expect(res.body.endsWith('0\r\n\r\n')).toBe(false);
    expect(await observer.next()).toMatchObject({ reason: 'upstream_reset' });
  });
});
