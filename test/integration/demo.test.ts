import { once } from 'node:events';
import type http from 'node:http';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';

type RequestOptions = NonNullable<Parameters<typeof request>[1]>;

let demo: Awaited<ReturnType<typeof startDemoServer>>;

beforeAll(async () => {
  demo = await startDemoServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await demo.close();
});

async function fetchRaw(path: string, opts: RequestOptions = {}) {
  const res = await request(`${demo.url}${path}`, opts);
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** Fetches and checks the JSON contract: content-type and a content-length equal to the body size. */
async function fetchJson(path: string, opts: RequestOptions = {}) {
  const res = await fetchRaw(path, opts);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['content-length']).toBe(String(res.body.length));
  // biome-ignore lint/suspicious/noExplicitAny: test assertions on arbitrary JSON
  return { ...res, json: JSON.parse(res.body.toString('utf8')) as any };
}

interface Watched {
  readonly res: http.ServerResponse;
  readonly closed: Promise<unknown>;
  written(): number;
  endCalls(): number;
}

/** Spies on the server side of the next responses whose URL starts with `prefix`. */
function watchResponses(prefix: string): { seen: Watched[]; stop(): void } {
  const seen: Watched[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!req.url?.startsWith(prefix)) return;
    let written = 0;
    let endCalls = 0;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      endCalls += 1;
      return end(...args);
    }) as typeof res.end;
    seen.push({ res, closed: once(res, 'close'), written: () => written, endCalls: () => endCalls });
  };
  demo.server.prependListener('request', listener);
  return { seen, stop: () => demo.server.off('request', listener) };
}

function patternBytes(length: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + 7) % 251;
  return buf;
}

describe('demo server basics', () => {
  it('reports its 127.0.0.1 URL with the ephemeral port', () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /healthz with plain ok, and HEAD without a body', async () => {
    const res = await fetchRaw('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok');
    expect(res.headers['content-length']).toBe('2');
    const head = await fetchRaw('/healthz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers unknown paths with 404 not_found JSON', async () => {
    for (const path of ['/nope', '/healthz/', '/users/1/unknown', '/']) {
      const res = await fetchJson(path);
      expect(res.status, path).toBe(404);
      expect(res.json).toEqual({ error: 'not_found' });
    }
  });

  it('answers a wrong method on a known path with 405 and an Allow header', async () => {
    const cases: Array<[string, string, string]> = [
      ['POST', '/healthz', 'GET, HEAD'],
      ['GET', '/echo', 'POST'],
      ['DELETE', '/api/orders', 'POST'],
      ['GET', '/coupons/X/redeem', 'POST'],
      ['PUT', '/users/1', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetchJson(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json).toEqual({ error: 'method_not_allowed' });
    }
  });
});

describe('JSON documents', () => {
  it('serves a ~1 KB item document containing the id', async () => {
    const res = await fetchJson('/api/items/42');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(1000);
    expect(res.body.length).toBeLessThanOrEqual(1100);
    expect(res.json.id).toBe(42);
  });

  it('serves identical bytes for the same item every time', async () => {
    const a = await fetchRaw('/api/items/7');
    const b = await fetchRaw('/api/items/7');
    expect(a.body.equals(b.body)).toBe(true);
    expect(a.body.equals((await fetchRaw('/api/items/8')).body)).toBe(false);
  });

  it('rejects a missing or non-numeric item id with 400', async () => {
    for (const path of ['/api/items/abc', '/api/items/', '/api/items', '/api/items/1.5', '/api/items/-1']) {
      const res = await fetchJson(path);
      expect(res.status, path).toBe(400);
      expect(res.json.error).toBe('bad_request');
    }
  });

  it('serves a ~64 KB feed with content-length, the same bytes each time', async () => {
    const res = await fetchJson('/feed');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(65_000);
    expect(res.body.length).toBeLessThanOrEqual(66_500);
    expect(res.json.items).toHaveLength(res.json.count);
    expect((await fetchRaw('/feed')).body.equals(res.body)).toBe(true);
  });

  it('serves small deterministic user documents derived from the id', async () => {
    for (const suffix of ['', '/orders', '/coupons', '/points']) {
      const res = await fetchJson(`/users/42${suffix}`);
      expect(res.status, suffix).toBe(200);
      expect(res.body.length).toBeGreaterThan(100);
      expect(res.body.length).toBeLessThan(1000);
      expect(suffix === '' ? res.json.id : res.json.userId).toBe(42);
      expect((await fetchRaw(`/users/42${suffix}`)).body.equals(res.body)).toBe(true);
      expect((await fetchRaw(`/users/43${suffix}`)).body.equals(res.body)).toBe(false);
    }
  });

  it('rejects a non-numeric user id with 400', async () => {
    expect((await fetchJson('/users/bob')).status).toBe(400);
    expect((await fetchJson('/users/bob/orders')).status).toBe(400);
  });
});

describe('/status/:code', () => {
  it('responds with the requested status and a { status } body', async () => {
    for (const code of [200, 201, 302, 404, 418, 500, 503, 599]) {
      const res = await fetchJson(`/status/${code}`);
      expect(res.status).toBe(code);
      expect(res.json).toEqual({ status: code });
    }
  });

  it('sends no body for 204 and 304', async () => {
    for (const code of [204, 304]) {
      const res = await fetchRaw(`/status/${code}`);
      expect(res.status).toBe(code);
      expect(res.body.length).toBe(0);
      expect(res.headers['content-type']).toBeUndefined();
    }
  });

  it('rejects 1xx, out-of-range and non-numeric codes with 400', async () => {
    for (const code of ['100', '101', '199', '600', '99', 'abc', '']) {
      const res = await fetchJson(`/status/${code}`);
      expect(res.status, code).toBe(400);
    }
  });
});

describe('/big', () => {
  it('streams exactly the requested number of pattern bytes', async () => {
    const res = await fetchRaw('/big?bytes=3000000');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe('3000000');
    expect(res.body.length).toBe(3_000_000);
    for (const i of [0, 255, 256, 65_535, 65_536, 1_000_003, 2_999_999]) expect(res.body[i]).toBe(i % 256);
  });

  it('defaults to 1 MiB and allows zero bytes', async () => {
    expect((await fetchRaw('/big')).body.length).toBe(1024 * 1024);
    const empty = await fetchRaw('/big?bytes=0');
    expect(empty.status).toBe(200);
    expect(empty.body.length).toBe(0);
  });

  it('advertises up to 10 GiB on HEAD and rejects more or invalid sizes', async () => {
    const head = await fetchRaw('/big?bytes=10737418240', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10737418240');
    for (const q of ['10737418241', '-1', 'abc', '1e6']) {
      expect((await fetchJson(`/big?bytes=${q}`)).status, q).toBe(400);
    }
  });

  it('honours backpressure and stops writing once the client goes away', async () => {
    const watch = watchResponses('/big');
    try {
      const res = await request(`${demo.url}/big?bytes=${1024 * 1024 * 1024}`);
      await sleep(300); // the client reads nothing meanwhile
      const watched = watch.seen[0]!;
      expect(watched.written()).toBeGreaterThan(0);
      expect(watched.written()).toBeLessThan(64 * 1024 * 1024);
      res.body.destroy();
      await watched.closed;
      const atClose = watched.written();
      await sleep(100);
      expect(watched.written()).toBe(atClose);
      expect(watched.endCalls()).toBe(0);
    } finally {
      watch.stop();
    }
  });
});

describe('/echo and /headers', () => {
  it('echoes a 5 MiB body byte for byte with chunked encoding and the request content-type', async () => {
    const payload = patternBytes(5 * 1024 * 1024);
    const res = await fetchRaw('/echo', {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/x-demo' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-demo');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['x-demo-request-headers']).toBeUndefined();
    expect(res.body.length).toBe(payload.length);
    expect(res.body.equals(payload)).toBe(true);
  });

  it('echoes body chunks as they arrive, before the request body ends', async () => {
    const body = new PassThrough();
    body.write('first;');
    const res = await request(`${demo.url}/echo`, { method: 'POST', body });
    const chunks = res.body[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(Buffer.from(first.value as Buffer).toString()).toBe('first;');
    body.end('second');
    let rest = '';
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += String(next.value);
    expect(rest).toBe('second');
  });

  it('echoes an empty body as an empty chunked response', async () => {
    const res = await fetchRaw('/echo', { method: 'POST', body: '' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['content-type']).toBe('application/octet-stream');
  });

  it('reports the headers, raw headers, url and method it received, for any method', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetchJson('/headers?a=1&b=two', {
        method,
        headers: { 'X-Test-Header': 'hello', 'x-multi': ['a', 'b'] },
        body: method === 'PUT' ? 'some body' : undefined,
      });
      expect(res.status, method).toBe(200);
      expect(res.json.method).toBe(method);
      expect(res.json.url).toBe('/headers?a=1&b=two');
      expect(res.json.headers['x-test-header']).toBe('hello');
      expect(res.json.headers['x-multi']).toBe('a, b');
      expect(res.json.rawHeaders).toContain('X-Test-Header');
      expect(res.json.headers.host).toBe(new URL(demo.url).host);
    }
  });
});

describe('slow endpoints', () => {
  it('waits at least the requested time before answering /slow', async () => {
    const started = performance.now();
    const res = await fetchJson('/slow?ms=150');
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ waited: 150 });
  });

  it('rejects a /slow wait above 60 s with 400', async () => {
    expect((await fetchJson('/slow?ms=60001')).status).toBe(400);
  });

  it('never answers /slow once the client has disconnected', async () => {
    const watch = watchResponses('/slow');
    try {
      const controller = new AbortController();
      const pending = request(`${demo.url}/slow?ms=200`, { signal: controller.signal });
      await sleep(50);
      controller.abort();
      await expect(pending).rejects.toThrow();
      const watched = watch.seen[0]!;
      await watched.closed;
      // A witness: a longer wait started later ends after the cut one's 200 ms timer
      // would have fired (timers fire in order), so no sleep is needed.
      expect((await fetchJson('/slow?ms=250')).status).toBe(200);
      expect(watched.endCalls()).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it('sends /slow-body headers at once, then chunks spaced by the requested gap', async () => {
    const started = performance.now();
    const res = await request(`${demo.url}/slow-body?ms=100&chunks=3`);
    expect(res.statusCode).toBe(200);
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of res.body) {
      arrivals.push(performance.now() - started);
      text += String(chunk);
    }
    expect(text).toBe('chunk 1/3\nchunk 2/3\nchunk 3/3\n');
    expect(arrivals[0]).toBeGreaterThanOrEqual(95);
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });
});

describe('write endpoints', () => {
  it('creates orders with increasing ids and returns the parsed body', async () => {
    const order = { sku: 'SKU-1', qty: 2 };
    const a = await fetchJson('/api/orders', {
      method: 'POST',
      body: JSON.stringify(order),
      headers: { 'content-type': 'application/json' },
    });
    const b = await fetchJson('/api/orders', { method: 'POST', body: '[1,2,3]' });
    expect(a.status).toBe(201);
    expect(a.json.received).toEqual(order);
    expect(b.json.orderId).toBe(a.json.orderId + 1);
    expect(b.json.received).toEqual([1, 2, 3]);
  });

  it('rejects invalid JSON orders with 400', async () => {
    const res = await fetchJson('/api/orders', { method: 'POST', body: '{"sku":' });
    expect(res.status).toBe(400);
  });

  it('rejects order bodies over 64 KiB with 413, with or without content-length', async () => {
    const tooBig = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
    const declared = await fetchJson('/api/orders', { method: 'POST', body: tooBig });
    expect(declared.status).toBe(413);
    const streamed = new PassThrough();
    const pending = fetchJson('/api/orders', { method: 'POST', body: streamed });
    streamed.end(tooBig);
    expect((await pending).status).toBe(413);
    // A body of exactly the limit is still accepted.
    const atLimit = JSON.stringify({ pad: 'x'.repeat(64 * 1024 - 10) });
    expect(Buffer.byteLength(atLimit)).toBe(64 * 1024);
    expect((await fetchJson('/api/orders', { method: 'POST', body: atLimit })).status).toBe(201);
  });

  it('accepts payment webhooks and counts the body bytes', async () => {
    const res = await fetchJson('/webhooks/payments', { method: 'POST', body: patternBytes(12_345) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: true, bytes: 12_345 });
  });

  it('redeems a coupon code, percent-decoded', async () => {
    const res = await fetchJson('/coupons/SUMMER%2024/redeem', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ code: 'SUMMER 24', redeemed: true });
    expect((await fetchJson('/coupons//redeem', { method: 'POST' })).status).toBe(400);
  });
});

describe('/reset-mid-body', () => {
  it('delivers part of the promised body, then fails instead of ending cleanly', async () => {
    const res = await request(`${demo.url}/reset-mid-body?bytes=5000`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('10000');
    let received = 0;
    const consume = async (): Promise<void> => {
      for await (const chunk of res.body) received += (chunk as Buffer).length;
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(5000);
  });

  it('still serves requests normally afterwards', async () => {
    expect((await fetchRaw('/healthz')).status).toBe(200);
  });
});
