/**
 * UpstreamExchange through its exported API: a real client-facing node:http
 * server whose handler drives one exchange (start -> head -> stream), a real
 * undici Pool from a provisioned runtime, and real upstreams on port 0. The
 * observer hooks are recorded to check what the exchange reports per attempt.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load.ts';
import { provision } from '../../../src/config/provision.ts';
import type { Runtime } from '../../../src/config/runtime.ts';
import { RequestContext } from '../../../src/pipeline/context.ts';
import { abortExchange } from '../../../src/pipeline/deadline.ts';
import { ProxyError } from '../../../src/pipeline/errors.ts';
import { CONTINUE, type Outcome } from '../../../src/pipeline/outcome.ts';
import type { RequestObserver } from '../../../src/pipeline/pipeline.ts';
import { rescue } from '../../../src/pipeline/rescue.ts';
import { UpstreamExchange } from '../../../src/upstream/exchange.ts';
import { useCleanup } from '../../helpers/fixtures.ts';
import { httpUpstream, rawRequest, refusedPort } from '../../helpers/upstreams.ts';

const cleanup = useCleanup();

interface Run {
  /** The upstream phase's outcome (at the response head) and the respond phase's (at the end). */
  head: Outcome;
  end: Outcome | undefined;
  calls: string[];
  bytesIn: number;
  bytesOut: number;
}

/** Options for the client-facing handler: `abortAtStart` aborts right after dispatch. */
interface Harness {
  url: string;
  /** The next finished exchange. */
  next(): Promise<Run>;
  /** Closes the upstream pools once every request dispatched on them has completed. */
  closePools(): Promise<void>;
}

function recorder(calls: string[]): RequestObserver {
  return {
    provision() {},
    retire() {},
    requestStart() {},
    requestEnd() {},
    phaseEnd() {},
    attemptStart(_ctx, endpoint, path) {
      calls.push(`start ${endpoint.address} ${path}`);
      return ['x-propagated', 'yes'];
    },
    attemptPoint(_ctx, point) {
      calls.push(`event ${point}`);
    },
    attemptConnected() {},
    attemptEnd(_ctx, status, error) {
      calls.push(`end ${status} ${error?.reason ?? '-'}`);
    },
    traceResponse() {
      return undefined;
    },
  };
}

async function harness(
  upstreamUrl: string,
  overrides: Record<string, unknown> = {},
  options: { abortAtStart?: ProxyError } = {},
): Promise<Harness> {
  const config = validateConfig(
    { listen: '127.0.0.1:0', upstream: { endpoints: [{ url: upstreamUrl }] }, ...overrides },
    '<test>',
  );
  const runtime: Runtime = provision(config, 1);
  let poolsClosed: Promise<void> | undefined;
  const closePools = () => {
    poolsClosed ??= runtime.upstream.close();
    return poolsClosed;
  };
  cleanup.push(closePools);
  const done: Run[] = [];
  const waiters: Array<(r: Run) => void> = [];
  const server = http.createServer(async (req, res) => {
    const calls: string[] = [];
    const ctx = new RequestContext(req, res, runtime, performance.now(), recorder(calls));
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const found = runtime.router.find(req.method!, req.headers.host, path);
    if (found.kind !== 'match') throw new Error(`no route in the test config for ${path}`);
    ctx.route = found.value;
    ctx.params = found.params;
    ctx.timeouts = found.value.timeouts;
    ctx.path = path;
    ctx.query = query;
    ctx.requestId = 'rid-1';
    ctx.peerAddress = '127.0.0.1';
    const exchange = new UpstreamExchange(ctx);
    ctx.exchange = exchange;
    const started = exchange.start(runtime.upstream.pick());
    if (options.abortAtStart) abortExchange(ctx, options.abortAtStart);
    const head = await started;
    const end = head === CONTINUE ? await exchange.stream() : undefined;
    const outcome = end ?? head;
    if (outcome !== CONTINUE) rescue(ctx, outcome);
    const run = { head, end, calls, bytesIn: ctx.bytesIn, bytesOut: ctx.bytesOut };
    const w = waiters.shift();
    if (w) w(run);
    else done.push(run);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return {
    closePools,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next: () => {
      const r = done.shift();
      return r ? Promise.resolve(r) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

async function upstream(handler: http.RequestListener) {
  const up = await httpUpstream(handler);
  cleanup.push(() => up.close());
  return up;
}

describe('UpstreamExchange', () => {
  it('forwards method, rewritten path, query, headers and body; streams the answer back intact', async () => {
    const big = Buffer.alloc(1024 * 1024, 'abcdefgh');
    let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const up = await upstream(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(201, { 'content-type': 'application/octet-stream', connection: 'x-up', 'x-up': '1' });
      res.end(big);
    });
    const h = await harness(up.url, {
      routes: [{ name: 'api', match: { path: '/api/*' }, rewrite: { stripPrefix: '/api' } }],
    });
    const res = await request(`${h.url}/api/items?q=1`, { method: 'POST', body: 'hello body' });
    const body = Buffer.from(await res.body.arrayBuffer());
    const run = await h.next();

    expect(seen).toMatchObject({ method: 'POST', url: '/items?q=1', body: 'hello body' });
    expect(seen.headers).toMatchObject({
      'x-request-id': 'rid-1',
      'x-propagated': 'yes',
      via: '1.1 sidelight',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-request-id']).toBe('rid-1');
    expect(res.headers['x-up']).toBeUndefined(); // nominated by the upstream's Connection
    expect(body.equals(big)).toBe(true);
    expect(run).toEqual({
      head: CONTINUE,
      end: CONTINUE,
      calls: [`start 127.0.0.1:${up.port} /items`, 'event pool_acquired', 'event first_byte', 'end 201 -'],
      bytesIn: 'hello body'.length,
      bytesOut: big.length,
    });
  });

  it('sends a body-less response head and its trailers after the respond phase writes the head', async () => {
    const up = await upstream((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { trailer: 'x-checksum' });
      res.addTrailers({ 'x-checksum': 'abc' });
      res.end('small');
    });
    const h = await harness(up.url);
    const empty = await rawRequest(h.url, 'GET /empty HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(empty.status).toBe(204);
    expect(empty.body).toBe('');
    expect((await h.next()).calls.at(-1)).toBe('end 204 -');

    const small = await rawRequest(h.url, 'GET /small HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(small.status).toBe(200);
    expect(small.body).toBe('5\r\nsmall\r\n0\r\nx-checksum: abc\r\n\r\n');
    expect(await h.next()).toMatchObject({ head: CONTINUE, end: CONTINUE, bytesOut: 5 });
  });

  it('settles the head with upstream_connect_failed when the endpoint refuses, reporting status 0', async () => {
    const h = await harness(await refusedPort());
    const res = await request(`${h.url}/x`);
    expect(res.statusCode).toBe(502);
    expect(((await res.body.json()) as { reason: string }).reason).toBe('upstream_connect_failed');
    const run = await h.next();
    expect((run.head as ProxyError).reason).toBe('upstream_connect_failed');
    expect(run.end).toBeUndefined();
    expect(run.calls.at(-1)).toBe('end 0 upstream_connect_failed');
    expect(run.calls.filter((c) => c.startsWith('end'))).toHaveLength(1);
  });

  it('settles the respond phase with upstream_reset when the upstream resets mid-body, and breaks the client connection', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(40_000, 'x'), () => res.socket?.resetAndDestroy());
    });
    const h = await harness(up.url);
    const got = await rawRequest(h.url, 'GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(got.status).toBe(200);
    expect(got.body.length).toBeLessThan(100_000); // truncated, never completed
    const run = await h.next();
    expect(run.head).toBe(CONTINUE);
    expect((run.end as ProxyError).reason).toBe('upstream_reset');
    expect(run.calls.at(-1)).toBe('end 200 upstream_reset');
  });

  it('fails with the abort reason when aborted before a connection is assigned', async () => {
    let reached = 0;
    const up = await upstream((_req, res) => {
      reached++;
      res.end('late');
    });
    const h = await harness(up.url, {}, { abortAtStart: new ProxyError('draining') });
    const res = await request(`${h.url}/a`);
    expect(res.statusCode).toBe(503);
    expect(((await res.body.json()) as { reason: string }).reason).toBe('draining');
    const run = await h.next();
    expect((run.head as ProxyError).reason).toBe('draining');
    expect(run.calls.at(-1)).toBe('end 0 draining');
    // Closing the pool waits for whatever was dispatched on it: nothing reached the upstream.
    await h.closePools();
    expect(reached).toBe(0);
  });
});
