/**
 * Spans end to end: a real SDK exporting OTLP/JSON to a real receiver, a
 * sidecar in front of the demo service. Span names, kinds, parents, semconv
 * attributes, CLIENT events, W3C propagation both ways, parent-based and
 * per-route sampling, error status rules, and the admin recent-trace buffer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../src/telemetry/recent-traces.ts';
import { useCleanup, useDemoUpstream, useOtlpSdk } from '../helpers/fixtures.ts';
import type { SpanRecord } from '../helpers/otlp-receiver.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import { refusedPort } from '../helpers/upstreams.ts';

const otlp = useOtlpSdk({ recentTraces: 100 });
const demo = useDemoUpstream();
const cleanup = useCleanup();

const ROUTES = [
  { name: 'items', match: { path: '/api/items/:id' } },
  { name: 'rest', match: { path: '/*' } },
];

async function sidecar(overrides: Record<string, unknown> = {}): Promise<TestSidecar> {
  const sc = await startSidecar(
    demo.url,
    { routes: ROUTES, ...overrides, telemetry: { sampling: 1, ...(overrides.telemetry as object) } },
    { telemetry: otlp.sdk },
  );
  cleanup.push(() => sc.close());
  return sc;
}

interface Sent {
  status: number;
  body: string;
  requestId: string;
}

async function send(
  sc: TestSidecar,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<Sent> {
  const requestId = randomUUID();
  const res = await request(`${sc.url}${path}`, {
    method: opts.method ?? 'GET',
    headers: { 'x-request-id': requestId, ...opts.headers },
  });
  return { status: res.statusCode, body: await res.body.text(), requestId };
}

/** All exported spans of the request, once its SERVER span arrived (children end, and export, first). */
async function exported(requestId: string): Promise<{ server: SpanRecord; spans: SpanRecord[] }> {
  const server = await otlp.rx.waitFor(
    () =>
      otlp.rx.spans.find((s) => s.kind === 'SERVER' && s.attributes['sidelight.request_id'] === requestId),
    5_000,
    `the SERVER span of request ${requestId}`,
  );
  return { server, spans: otlp.rx.trace(server.traceId) };
}

/** Nothing of the request was exported: flush everything queued, then look. */
async function notExported(requestId: string): Promise<void> {
  await otlp.sdk.forceFlush();
  expect(otlp.rx.spans.filter((s) => s.attributes['sidelight.request_id'] === requestId)).toEqual([]);
}

/** The phase spans of a proxied request, in order (auth and rate_limit join when they exist). */
const PHASE_SPANS = [
  'sidelight.accept',
  'sidelight.route',
  'sidelight.upstream',
  'sidelight.respond',
  'sidelight.finish',
];

const byName = (spans: SpanRecord[], name: string): SpanRecord[] => spans.filter((s) => s.name === name);
const one = (spans: SpanRecord[], name: string): SpanRecord => {
  const found = byName(spans, name);
  expect(found, `exactly one span named ${name}`).toHaveLength(1);
  return found[0]!;
};
const eventNames = (s: SpanRecord): string[] => s.events.map((e) => e.name);

describe('span tree of a proxied request', () => {
  it('has a SERVER root, phase spans and one CLIENT span as its children, with semconv attributes', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/api/items/7');
    expect(sent.status).toBe(200);
    const { server, spans } = await exported(sent.requestId);

    expect(server.name).toBe('GET /api/items/:id');
    expect(server.parentSpanId).toBe('');
    expect(server.status.code).toBe('UNSET');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/items/:id',
      'http.response.status_code': 200,
      'url.path': '/api/items/7',
      'url.scheme': 'http',
      'server.address': '127.0.0.1', // the Host the client asked for
      'server.port': Number(new URL(sc.url).port),
      'sidelight.route.name': 'items',
    });
    expect(server.attributes['error.type']).toBeUndefined();

    const phases = PHASE_SPANS.map((name) => one(spans, name));
    const client = one(spans, 'GET');
    expect(spans).toHaveLength(PHASE_SPANS.length + 2);
    for (const s of phases) expect(s.kind).toBe('INTERNAL');
    expect(client.kind).toBe('CLIENT');
    for (const s of [...phases, client]) {
      expect(s.parentSpanId).toBe(server.spanId);
      expect(s.startNs).toBeGreaterThanOrEqual(server.startNs);
      expect(s.endNs).toBeLessThanOrEqual(server.endNs);
    }
    const upstream = new URL(demo.url);
    expect(client.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'server.address': upstream.hostname,
      'server.port': Number(upstream.port),
      'url.full': `${demo.url}/api/items/7`,
    });
    expect(client.attributes['http.request.resend_count']).toBeUndefined();
    expect(client.status.code).toBe('UNSET');
  });

  it('tiles the SERVER span with contiguous phase spans, accept and finish included (#10)', async () => {
    const sc = await sidecar();
    const { server, spans } = await exported((await send(sc, '/api/items/9')).requestId);
    const phases = PHASE_SPANS.map((name) => one(spans, name)).sort((a, b) => Number(a.startNs - b.startNs));
    expect(phases.map((s) => s.name)).toEqual(PHASE_SPANS);
    // One clock reading ends a phase and starts the next: no gap, no overlap.
    expect(phases[0]!.startNs).toBe(server.startNs);
    for (let i = 1; i < phases.length; i++) expect(phases[i]!.startNs).toBe(phases[i - 1]!.endNs);
    expect(phases.at(-1)!.endNs).toBe(server.endNs);
    let covered = 0n;
    for (const s of phases) covered += s.endNs - s.startNs;
    const total = server.endNs - server.startNs;
    expect(Number(covered) / Number(total)).toBeGreaterThanOrEqual(0.95);
  });

  it("gives the SERVER span the duration of the request's histogram observation (#10)", async () => {
    const sc = await sidecar({ routes: [{ name: 'one', match: { path: '/api/items/:id' } }] });
    const { server } = await exported((await send(sc, '/api/items/11')).requestId);
    const text = await (await request(`${sc.adminUrl}/metrics`)).body.text();
    const sum = text
      .split('\n')
      .find((l) => l.startsWith('http_server_request_duration_seconds_sum{') && l.includes('/api/items/:id'));
    expect(sum, 'the route has exactly one observation').toBeDefined();
    const observed = Number(sum!.split(' ').at(-1));
    const spanSeconds = Number(server.endNs - server.startNs) / 1e9;
    expect(Math.abs(observed - spanSeconds)).toBeLessThan(2e-6);
  });

  it('puts pool acquire and first byte on every CLIENT span, connect only on a fresh connection', async () => {
    const sc = await sidecar();
    const first = await exported((await send(sc, '/api/items/1')).requestId);
    const second = await exported((await send(sc, '/api/items/2')).requestId);
    const c1 = one(first.spans, 'GET');
    const c2 = one(second.spans, 'GET');
    expect(eventNames(c1)).toEqual(
      expect.arrayContaining([
        'sidelight.pool.acquired',
        'sidelight.connect.start',
        'sidelight.connect.end',
        'sidelight.response.first_byte',
      ]),
    );
    const at = (s: SpanRecord, name: string): bigint => s.events.find((e) => e.name === name)!.timeNs;
    expect(at(c1, 'sidelight.connect.start')).toBeLessThanOrEqual(at(c1, 'sidelight.connect.end'));
    expect(at(c1, 'sidelight.connect.end')).toBeLessThanOrEqual(at(c1, 'sidelight.response.first_byte'));
    for (const e of c1.events) {
      expect(e.timeNs).toBeGreaterThanOrEqual(c1.startNs);
      expect(e.timeNs).toBeLessThanOrEqual(c1.endNs);
    }
    // Keep-alive: the second request reuses the connection.
    expect(eventNames(c2).sort()).toEqual(['sidelight.pool.acquired', 'sidelight.response.first_byte']);
  });

  it('leaves the phase spans out with phaseSpans: false, matched or not', async () => {
    const sc = await sidecar({ telemetry: { phaseSpans: false }, routes: [ROUTES[0]] });
    const { spans } = await exported((await send(sc, '/api/items/3')).requestId);
    expect(spans.map((s) => s.kind).sort()).toEqual(['CLIENT', 'SERVER']);
    const unmatched = await exported((await send(sc, '/nowhere')).requestId);
    expect(unmatched.spans.map((s) => s.name)).toEqual(['GET']);
  });

  it('honours a per-route phaseSpans: false', async () => {
    const sc = await sidecar({
      routes: [
        { name: 'items', match: { path: '/api/items/:id' }, telemetry: { phaseSpans: false } },
        { name: 'rest', match: { path: '/*' } },
      ],
    });
    const quiet = await exported((await send(sc, '/api/items/3')).requestId);
    const loud = await exported((await send(sc, '/headers')).requestId);
    expect(quiet.spans).toHaveLength(2);
    expect(loud.spans.map((s) => s.name).sort()).toEqual(['GET', 'GET /*', ...PHASE_SPANS].sort());
  });
});

describe('trace context propagation', () => {
  const ids = () => ({ tid: randomBytes(16).toString('hex'), sid: randomBytes(8).toString('hex') });
  const upstreamTraceparent = (body: string): string => {
    const headers = (JSON.parse(body) as { headers: Record<string, string> }).headers;
    return headers.traceparent ?? '';
  };

  it('continues an incoming sampled trace and sends the CLIENT span as the upstream parent', async () => {
    const sc = await sidecar({ telemetry: { sampling: 0 } }); // the parent's decision wins over the ratio
    const { tid, sid } = ids();
    const sent = await send(sc, '/headers', {
      headers: { traceparent: `00-${tid}-${sid}-01`, tracestate: 'k=v' },
    });
    const { server, spans } = await exported(sent.requestId);
    expect(server.traceId).toBe(tid);
    expect(server.parentSpanId).toBe(sid);
    const client = one(spans, 'GET');
    expect(upstreamTraceparent(sent.body)).toBe(`00-${tid}-${client.spanId}-01`);
    expect((JSON.parse(sent.body) as { headers: Record<string, string> }).headers.tracestate).toBe('k=v');
  });

  it('honours an incoming unsampled decision: nothing exported, upstream told -00', async () => {
    const sc = await sidecar(); // root ratio 1: only the parent can say no
    const { tid, sid } = ids();
    const sent = await send(sc, '/headers', { headers: { traceparent: `00-${tid}-${sid}-00` } });
    expect(sent.status).toBe(200);
    const tp = upstreamTraceparent(sent.body);
    expect(tp).toMatch(new RegExp(`^00-${tid}-[0-9a-f]{16}-00$`));
    expect(tp).not.toContain(sid);
    await notExported(sent.requestId);
    expect(otlp.rx.trace(tid)).toEqual([]);
  });

  it('starts a new sampled trace when the client sends none', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/headers');
    const { server, spans } = await exported(sent.requestId);
    expect(upstreamTraceparent(sent.body)).toBe(`00-${server.traceId}-${one(spans, 'GET').spanId}-01`);
  });
});

describe('sampling', () => {
  it('exports nothing at root ratio 0, except on a route that overrides it', async () => {
    const sc = await sidecar({
      telemetry: { sampling: 0 },
      routes: [
        { name: 'items', match: { path: '/api/items/:id' }, telemetry: { sampling: 1 } },
        { name: 'rest', match: { path: '/*' } },
      ],
    });
    const rest = await send(sc, '/headers');
    const items = await send(sc, '/api/items/5');
    expect([rest.status, items.status]).toEqual([200, 200]);
    const { server } = await exported(items.requestId);
    expect(server.attributes['http.route']).toBe('/api/items/:id');
    await notExported(rest.requestId);
    // Unsampled, yet the upstream still gets a context (flag 00) to join.
    expect(JSON.parse(rest.body).headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

describe('status and error rules', () => {
  it('names an unmatched request by its method alone; a 404 no_route is not a span error', async () => {
    const sc = await sidecar({ routes: [ROUTES[0]] });
    const sent = await send(sc, '/nowhere/at/all');
    expect(sent.status).toBe(404);
    const { server, spans } = await exported(sent.requestId);
    expect(server.name).toBe('GET');
    expect(server.attributes['http.route']).toBeUndefined();
    expect(server.attributes['error.type']).toBe('no_route');
    expect(server.attributes['http.response.status_code']).toBe(404);
    expect(server.status.code).toBe('UNSET');
    expect(spans.filter((s) => s.kind === 'CLIENT')).toEqual([]);
    // The phase that answered says why.
    const route = one(spans, 'sidelight.route');
    expect(route.attributes['error.type']).toBe('no_route');
    expect(route.status).toEqual({ code: 'ERROR', message: 'no_route' });
  });

  it('marks a 502 from the upstream as an error on both SERVER and CLIENT spans', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/status/502');
    expect(sent.status).toBe(502);
    const { server, spans } = await exported(sent.requestId);
    expect(server.status.code).toBe('ERROR');
    expect(server.attributes).toMatchObject({ 'error.type': '502', 'http.response.status_code': 502 });
    const client = one(spans, 'GET');
    expect(client.status.code).toBe('ERROR');
    expect(client.attributes).toMatchObject({ 'error.type': '502', 'http.response.status_code': 502 });
  });

  it('marks a 4xx from the upstream as an error on the CLIENT span only', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/status/404');
    expect(sent.status).toBe(404);
    const { server, spans } = await exported(sent.requestId);
    expect(server.status.code).toBe('UNSET');
    expect(server.attributes['error.type']).toBeUndefined();
    const client = one(spans, 'GET');
    expect(client.status.code).toBe('ERROR');
    expect(client.attributes['error.type']).toBe('404');
  });

  it('records the upstream status of a bodiless HEAD response', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/status/404', { method: 'HEAD' });
    expect(sent.status).toBe(404);
    const { server, spans } = await exported(sent.requestId);
    expect(server.name).toBe('HEAD /*');
    expect(server.attributes['http.response.status_code']).toBe(404);
    expect(one(spans, 'HEAD').attributes['http.response.status_code']).toBe(404);
  });

  it('records a failed connect as CLIENT error.type and a 502 SERVER error', async () => {
    const sc = await startSidecar(
      await refusedPort(),
      { telemetry: { sampling: 1 } },
      { telemetry: otlp.sdk },
    );
    cleanup.push(() => sc.close());
    const sent = await send(sc, '/anything');
    expect(sent.status).toBe(502);
    const { server, spans } = await exported(sent.requestId);
    expect(server.status.code).toBe('ERROR');
    expect(server.attributes['error.type']).toBe('upstream_connect_failed');
    const client = one(spans, 'GET');
    expect(client.status).toMatchObject({ code: 'ERROR', message: 'upstream_connect_failed' });
    expect(client.attributes['error.type']).toBe('upstream_connect_failed');
    expect(client.attributes['http.response.status_code']).toBeUndefined();
  });

  it('names an unknown method HTTP and keeps the original in http.request.method_original', async () => {
    const sc = await sidecar();
    const sent = await send(sc, '/headers', { method: 'PURGE' });
    expect(sent.status).toBe(200);
    const { server, spans } = await exported(sent.requestId);
    expect(server.name).toBe('HTTP /*');
    expect(server.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
    });
    const client = one(spans, 'HTTP');
    expect(client.kind).toBe('CLIENT');
    expect(client.attributes['http.request.method']).toBe('_OTHER');
  });
});

describe('admin /debug/traces', () => {
  async function debugTraces(sc: TestSidecar, query = '') {
    const res = await request(`${sc.adminUrl}/debug/traces${query}`);
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  it('returns the recent trace with each phase timed, and lists failed ones', async () => {
    const sc = await sidecar();
    const ok = await exported((await send(sc, '/slow?ms=30')).requestId);
    const bad = await exported((await send(sc, '/status/503')).requestId);
    const { body } = await debugTraces(sc);
    expect(body.enabled).toBe(true);
    const recent = body.recent as TraceSummary[];
    const failed = body.failed as TraceSummary[];
    const mine = recent.find((t) => t.trace_id === ok.server.traceId)!;
    expect(mine).toBeDefined();
    expect(mine.name).toBe('GET /*');
    expect(mine.status_code).toBe(200);
    expect(mine.duration_ms).toBeGreaterThanOrEqual(25);
    expect(mine.spans.map((s) => s.name)).toEqual([
      'GET /*',
      'sidelight.accept',
      'sidelight.route',
      'sidelight.upstream',
      'GET',
      'sidelight.respond',
      'sidelight.finish',
    ]);
    for (const s of mine.spans) {
      expect(s.start_ms).toBeGreaterThanOrEqual(0);
      expect(s.duration_ms).toBeGreaterThanOrEqual(0);
      expect(s.start_ms + s.duration_ms).toBeLessThanOrEqual(mine.duration_ms + 0.01);
    }
    const client = mine.spans.find((s) => s.kind === 'CLIENT')!;
    expect(client.duration_ms).toBeGreaterThanOrEqual(25); // the upstream's 30 ms sit in the CLIENT span
    expect(client.events.map((e) => e.name)).toContain('sidelight.response.first_byte');

    expect(failed.map((t) => t.trace_id)).toContain(bad.server.traceId);
    expect(failed.map((t) => t.trace_id)).not.toContain(ok.server.traceId);
    expect(failed.find((t) => t.trace_id === bad.server.traceId)).toMatchObject({
      status_code: 503,
      error_type: '503',
    });

    const single = await debugTraces(sc, `?trace_id=${bad.server.traceId}`);
    expect(single.status).toBe(200);
    expect(single.body.trace_id).toBe(bad.server.traceId);
    expect((await debugTraces(sc, `?trace_id=${'0'.repeat(31)}1`)).status).toBe(404);
  });
});
