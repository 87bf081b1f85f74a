/**
 * Header hygiene through the proxy, both ways: hop-by-hop fields, fields
 * nominated by Connection, X-Forwarded-*, Via, the request id, Expect, route
 * header operations and path rewrites. Raw sockets where a client library
 * would normalise what is sent.
 */
import { once } from 'node:events';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/pipeline/errors.ts';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import {
  connectRaw,
  httpUpstream,
  rawRequest,
  rawResponseUpstream,
  readUntilClose,
} from '../helpers/upstreams.ts';

const demo = useDemoUpstream();
const cleanup = useCleanup();

async function sidecar(
  overrides: Record<string, unknown> = {},
  upstreamUrl = demo.url,
): Promise<TestSidecar> {
  const sc = await startSidecar(upstreamUrl, overrides);
  cleanup.push(() => sc.close());
  return sc;
}

interface Seen {
  headers: Record<string, string>;
  rawHeaders: string[];
  url: string;
}

/** Sends raw header lines to the demo's /headers through the proxy; returns what the upstream saw. */
async function seenUpstream(sc: TestSidecar, lines: string[], path = '/headers'): Promise<Seen> {
  const res = await rawRequest(
    sc.url,
    `GET ${path} HTTP/1.1\r\n${[...lines, 'Connection: close'].join('\r\n')}\r\n\r\n`,
  );
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as Seen;
}

/** The lower-case names the upstream received. */
function names(seen: Seen): string[] {
  return seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

const HOP_BY_HOP = ['keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection'];

describe('hop-by-hop fields', () => {
  it('removes hop-by-hop fields and Connection-nominated fields from the request', async () => {
    const sc = await sidecar();
    const res = await rawRequest(
      sc.url,
      'PUT /headers HTTP/1.1\r\nHost: h.test\r\nConnection: close, X-Hop\r\nKeep-Alive: timeout=5\r\n' +
        'TE: trailers\r\nTrailer: X-T\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n' +
        'X-Hop: secret\r\nX-End-To-End: kept\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body) as Seen;
    const got = names(seen);
    for (const name of [...HOP_BY_HOP, 'x-hop']) expect(got, name).not.toContain(name);
    expect(seen.headers['x-end-to-end']).toBe('kept');
    // The client's framing and connection options are not passed on.
    // undici sends the body with a Content-Length when it has fully arrived, chunked
    // otherwise: either way exactly one framing field, its own.
    const framing = got.filter((n) => n === 'transfer-encoding' || n === 'content-length');
    expect(framing).toHaveLength(1);
    if (framing[0] === 'content-length') expect(seen.headers['content-length']).toBe('3');
    else expect(seen.headers['transfer-encoding']).toBe('chunked');
    expect(got.filter((n) => n === 'connection')).toEqual(['connection']);
    expect(seen.headers.connection).toBe('keep-alive');
  });

  it('answers 501 to a transfer coding other than a lone chunked and never forwards the body (RFC 9112 §6.1)', async () => {
    const received: string[] = [];
    const up = await httpUpstream((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      res.end('reached');
    });
    cleanup.push(() => up.close());
    const sc = await sidecar({}, up.url);
    for (const te of [
      'gzip, chunked',
      'identity, chunked',
      'GZIP , Chunked',
      'gzip\r\nTransfer-Encoding: chunked',
    ]) {
      const res = await rawRequest(
        sc.url,
        `POST /upload HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: ${te}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      );
      expect({ te, status: res.status }).toEqual({ te, status: 501 });
      expect(JSON.parse(res.body)).toEqual({
        error: REASONS.unsupported_transfer_coding.message,
        reason: 'unsupported_transfer_coding',
        request_id: res.header('x-request-id'),
      });
      expect(res.header('connection')).toBe('close');
    }
    // A lone chunked still passes, so the upstream was reachable all along.
    const ok = await rawRequest(
      sc.url,
      'POST /upload HTTP/1.1\r\nHost: h.test\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(ok.status).toBe(200);
    expect(received).toEqual(['POST /upload']);
  });

  it('removes hop-by-hop fields and Connection-nominated fields from the response', async () => {
    const up = await rawResponseUpstream(
      'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=99\r\nTrailer: X-T\r\n' +
        'Upgrade: h2c\r\nProxy-Connection: keep-alive\r\nX-Hop: secret\r\nX-Keep: yes\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    cleanup.push(() => up.close());
    const sc = await sidecar({}, up.url);
    const res = await rawRequest(sc.url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    const got = res.headers.map(([n]) => n);
    for (const name of [...HOP_BY_HOP, 'x-hop']) expect(got, name).not.toContain(name);
    expect(res.header('x-keep')).toBe('yes');
    // Only the proxy's own framing and connection management remain.
    expect(got.filter((n) => n === 'transfer-encoding')).toHaveLength(1);
    expect(res.header('transfer-encoding')).toBe('chunked');
    expect(res.header('connection')).toBe('close');
    expect(res.body).toBe('5\r\nhello\r\n0\r\n\r\n');
  });

  it('never lets Connection strip the X-Forwarded-* fields the proxy sets', async () => {
    const sc = await sidecar();
    const seen = await seenUpstream(sc, [
      'Host: h.test',
      'Connection: X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, Via, X-Request-Id',
      'X-Forwarded-For: 6.6.6.6',
    ]);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('h.test');
    expect(seen.headers.via).toBe('1.1 sidelight');
    expect(seen.headers['x-request-id']).toMatch(/\S/);
  });

  it('drops a nominated client X-Forwarded-For even from a trusted hop', async () => {
    const sc = await sidecar({ proxy: { trustedHops: 1 } });
    const seen = await seenUpstream(sc, [
      'Host: h.test',
      'Connection: X-Forwarded-For',
      'X-Forwarded-For: 6.6.6.6',
    ]);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('X-Forwarded-* and Via', () => {
  const clientSent = [
    'Host: h.test',
    'X-Forwarded-For: 10.1.1.1',
    'X-Forwarded-For: 10.2.2.2',
    'X-Forwarded-Proto: https',
    'X-Forwarded-Host: public.example',
  ];

  it('replaces client-sent X-Forwarded-* when no hop is trusted', async () => {
    const sc = await sidecar();
    const seen = await seenUpstream(sc, clientSent);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('h.test');
    expect(names(seen).filter((n) => n === 'x-forwarded-for')).toHaveLength(1);
  });

  it('keeps and appends to client-sent X-Forwarded-* when one hop is trusted', async () => {
    const sc = await sidecar({ proxy: { trustedHops: 1 } });
    const seen = await seenUpstream(sc, clientSent);
    expect(seen.headers['x-forwarded-for']).toBe('10.1.1.1, 10.2.2.2, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe('public.example');
  });

  it('appends its Via entry to the request and to the response', async () => {
    const sc = await sidecar({ proxy: { via: 'edge-7' } });
    const seen = await seenUpstream(sc, ['Host: h.test', 'Via: 1.1 cdn', 'Via: 1.0 lb']);
    expect(seen.headers.via).toBe('1.1 cdn, 1.0 lb, 1.1 edge-7');
    const up = await rawResponseUpstream('HTTP/1.1 200 OK\r\nVia: 1.0 origin\r\nContent-Length: 2\r\n\r\nok');
    cleanup.push(() => up.close());
    const sc2 = await sidecar({}, up.url);
    const res = await request(sc2.url);
    await res.body.dump();
    expect(res.headers.via).toBe('1.0 origin, 1.1 sidelight');
    const plain = await request(`${sc.url}/api/items/1`);
    await plain.body.dump();
    expect(plain.headers.via).toBe('1.1 edge-7');
  });
});

describe('request id', () => {
  it('keeps a sane client request id, forwards it and echoes it back', async () => {
    const sc = await sidecar();
    const res = await request(`${sc.url}/headers`, { headers: { 'x-request-id': 'client-id-42' } });
    const seen = (await res.body.json()) as Seen;
    expect(seen.headers['x-request-id']).toBe('client-id-42');
    expect(res.headers['x-request-id']).toBe('client-id-42');
  });

  it('generates a request id when it is absent or malformed, the same both ways', async () => {
    const sc = await sidecar();
    for (const sent of [undefined, 'has space', 'x'.repeat(201), 'caf\u00e9']) {
      const headers: Record<string, string> = sent === undefined ? {} : { 'x-request-id': sent };
      const res = await request(`${sc.url}/headers`, { headers });
      const seen = (await res.body.json()) as Seen;
      const id = res.headers['x-request-id'];
      expect(id, String(sent)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(seen.headers['x-request-id']).toBe(id);
    }
  });

  it("replaces the upstream's own request id in the response with the proxy's", async () => {
    const up = await rawResponseUpstream(
      'HTTP/1.1 200 OK\r\nX-Request-Id: upstream-id\r\nContent-Length: 0\r\n\r\n',
    );
    cleanup.push(() => up.close());
    const sc = await sidecar({}, up.url);
    const res = await request(sc.url, { headers: { 'x-request-id': 'mine' } });
    await res.body.dump();
    expect(res.headers['x-request-id']).toBe('mine');
  });

  it('uses the configured request id header name', async () => {
    const sc = await sidecar({ proxy: { requestIdHeader: 'X-Correlation-Id' } });
    const res = await request(`${sc.url}/headers`, { headers: { 'x-correlation-id': 'corr-1' } });
    const seen = (await res.body.json()) as Seen;
    expect(seen.headers['x-correlation-id']).toBe('corr-1');
    expect(res.headers['x-correlation-id']).toBe('corr-1');
  });
});

describe('Expect: 100-continue', () => {
  it('answers 100 Continue before the body is sent, then proxies the body', async () => {
    const sc = await sidecar();
    const socket = await connectRaw(sc.url);
    const done = readUntilClose(socket);
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    const [first] = (await once(socket, 'data')) as [string];
    expect(first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    const rest = (await done).slice(first.length);
    expect(rest).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(rest.endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
  });
});

describe('responses without a body', () => {
  it('forwards the whole head of a HEAD response, content-length included, and no body', async () => {
    const sc = await sidecar();
    const res = await rawRequest(
      sc.url,
      'HEAD /big?bytes=1234 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(200);
    expect(res.header('content-length')).toBe('1234');
    expect(res.header('content-type')).toBe('application/octet-stream');
    expect(res.header('via')).toBe('1.1 sidelight');
    expect(res.header('x-request-id')).toMatch(/\S/);
    expect(res.body).toBe('');
  });

  it('forwards 204 and 304 heads without a body', async () => {
    const sc = await sidecar();
    for (const code of [204, 304]) {
      const res = await rawRequest(
        sc.url,
        `GET /status/${code} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(code);
      expect(res.header('via')).toBe('1.1 sidelight');
      expect(res.body).toBe('');
    }
  });
});

describe('route header operations', () => {
  const routes = [
    {
      name: 'all',
      match: { path: '/*' },
      headers: {
        request: { add: { 'x-added': 'a1' }, set: { 'user-agent': 'sidelight-test' }, remove: ['x-secret'] },
        response: {
          add: { 'x-served-by': 'proxy' },
          set: { 'cache-control': 'no-cache' },
          remove: ['content-type'],
        },
      },
    },
  ];

  it('adds, sets and removes request headers on the way up', async () => {
    const sc = await sidecar({ routes });
    const seen = await seenUpstream(sc, ['Host: h', 'X-Added: a0', 'User-Agent: curl/8', 'X-Secret: s3cr3t']);
    expect(seen.headers['x-added']).toBe('a0, a1');
    expect(seen.headers['user-agent']).toBe('sidelight-test');
    expect(names(seen).filter((n) => n === 'user-agent')).toHaveLength(1);
    expect(seen.headers['x-secret']).toBeUndefined();
  });

  it('adds, sets and removes response headers on the way down', async () => {
    const sc = await sidecar({ routes });
    const res = await request(`${sc.url}/api/items/1`);
    await res.body.dump();
    expect(res.headers['x-served-by']).toBe('proxy');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['content-length']).toBe('1024');
  });
});

describe('path rewrites', () => {
  const routes = [
    { name: 'api', match: { path: '/api/*' }, rewrite: { stripPrefix: '/api' } },
    { name: 'legacy', match: { path: '/v1/things/:id' }, rewrite: { replacePath: '/api/items/:id' } },
    { name: 'wild', match: { path: '/by-wild/*' }, rewrite: { replacePath: '/api/*' } },
  ];

  it('strips the prefix and keeps the query', async () => {
    const sc = await sidecar({ routes });
    const seen = (await (await request(`${sc.url}/api/headers?a=1&b=%20`)).body.json()) as Seen;
    expect(seen.url).toBe('/headers?a=1&b=%20');
  });

  it('replaces the path, filling params from the match', async () => {
    const sc = await sidecar({ routes });
    const res = await request(`${sc.url}/v1/things/42`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { id: number }).id).toBe(42);
    const wild = await request(`${sc.url}/by-wild/items/7?q=x`);
    expect(((await wild.body.json()) as { id: number }).id).toBe(7);
  });

  it('forwards the normalised path, not the raw one', async () => {
    const sc = await sidecar();
    const seen = await seenUpstream(sc, ['Host: h'], '/a//b/../../headers?x=/../y');
    expect(seen.url).toBe('/headers?x=/../y');
  });
});
