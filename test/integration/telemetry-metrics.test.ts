/**
 * The admin `/metrics` endpoint: OpenMetrics with exemplars for sampled
 * requests when asked for, the classic text format otherwise (and promtool
 * accepts it), closed label sets under hostile traffic, and the counters that
 * must exist from the start.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { Pool, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';
import { ALL_REASONS } from '../../src/pipeline/errors.ts';
import { SIDELIGHT_METRIC_NAMES } from '../../src/telemetry/metrics.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { PROMTOOL_BIN, parseExposition, type Sample, seriesOf } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';
import { refusedPort } from '../helpers/upstreams.ts';

let sdk: TelemetrySdk;
let demo: Awaited<ReturnType<typeof startDemoServer>>;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // No exporter: sampled spans still exist (and feed the recent-trace buffer).
  sdk = startTelemetrySdk({ recentTraces: 1_000, env: {} });
  demo = await startDemoServer({ port: 0 });
});
afterAll(async () => {
  await sdk.shutdown();
  await demo.close();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const ROUTES = [
  { name: 'items', match: { path: '/api/items/:id' } },
  { name: 'rest', match: { path: '/*' } },
];

async function sidecar(sampling: number): Promise<TestSidecar> {
  const sc = await startSidecar(demo.url, { telemetry: { sampling }, routes: ROUTES }, { telemetry: sdk });
  cleanup.push(() => sc.close());
  return sc;
}

const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

async function scrape(sc: TestSidecar, accept?: string): Promise<{ type: string; text: string }> {
  const res = await request(`${sc.adminUrl}/metrics`, { headers: accept ? { accept } : {} });
  expect(res.statusCode).toBe(200);
  return { type: String(res.headers['content-type']), text: await res.body.text() };
}

async function get(sc: TestSidecar, path: string): Promise<number> {
  const res = await request(`${sc.url}${path}`);
  await res.body.text();
  return res.statusCode;
}

function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL_BIN, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

describe('/metrics formats', () => {
  it('serves OpenMetrics with trace exemplars to a client that asks for it (as Prometheus does)', async () => {
    const sc = await sidecar(1);
    for (const p of ['/api/items/1', '/headers', '/status/503']) await get(sc, p);
    const { type, text } = await scrape(sc, OPENMETRICS_ACCEPT);
    expect(type).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(text.endsWith('# EOF\n')).toBe(true);
    const samples = parseExposition(text);
    const withExemplar = (name: string) => samples.filter((s) => s.name === name && s.exemplar !== undefined);
    for (const name of [
      'http_server_request_duration_seconds_bucket',
      'http_client_request_duration_seconds_bucket',
      'sidelight_phase_duration_seconds_bucket',
    ]) {
      const found = withExemplar(name);
      expect(found.length, `${name} exemplars`).toBeGreaterThan(0);
      for (const s of found) {
        expect(Object.keys(s.exemplar!).sort()).toEqual(['span_id', 'trace_id']);
        expect(s.exemplar!.trace_id).toMatch(/^[0-9a-f]{32}$/);
        expect(s.exemplar!.span_id).toMatch(/^[0-9a-f]{16}$/);
      }
    }
    // Each server exemplar points at a trace this process recorded, by its SERVER span.
    const recent = sdk.recent.snapshot().recent;
    for (const s of withExemplar('http_server_request_duration_seconds_bucket')) {
      const t = recent.find((r) => r.trace_id === s.exemplar!.trace_id);
      expect(t, `trace ${s.exemplar!.trace_id}`).toBeDefined();
      expect(t!.spans.find((x) => x.kind === 'SERVER')!.span_id).toBe(s.exemplar!.span_id);
      expect(t!.status_code).toBe(Number(s.labels.http_response_status_code));
    }
    // Exemplars never leak into counts: every exemplar-bearing bucket parsed to a number.
    expect(samples.every((s) => Number.isFinite(s.value) || s.value === Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('puts no exemplars on unsampled requests', async () => {
    const sc = await sidecar(0);
    for (const p of ['/api/items/1', '/headers', '/status/503']) await get(sc, p);
    const { text } = await scrape(sc, 'application/openmetrics-text');
    expect(text.endsWith('# EOF\n')).toBe(true);
    const samples = parseExposition(text);
    expect(samples.filter((s) => s.name === 'http_server_request_duration_seconds_count')).toHaveLength(3);
    expect(samples.filter((s) => s.exemplar !== undefined)).toEqual([]);
  });

  it('serves the classic text format otherwise, which promtool accepts', async () => {
    const sc = await sidecar(1);
    for (const p of ['/api/items/1', '/nope/x', '/status/502']) await get(sc, p);
    const { type, text } = await scrape(sc);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).not.toContain('# EOF');
    expect(text).not.toMatch(/\} \S+ # \{/); // no exemplars in the classic format
    for (const name of SIDELIGHT_METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    const check = await promtoolCheck(text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    // The OpenMetrics rendering afterwards is unaffected by the classic one (one registry, two formats).
    expect((await scrape(sc, OPENMETRICS_ACCEPT)).text.endsWith('# EOF\n')).toBe(true);
    expect((await scrape(sc)).text).not.toContain('# EOF');
  });

  it('labels a failed upstream attempt by its reason, with no status code', async () => {
    const sc = await startSidecar(await refusedPort(), { telemetry: { sampling: 1 } }, { telemetry: sdk });
    cleanup.push(() => sc.close());
    expect(await get(sc, '/x')).toBe(502);
    const samples = parseExposition((await scrape(sc)).text);
    const count = (name: string) => samples.filter((s) => s.name === name).map((s) => s.labels);
    expect(count('http_client_request_duration_seconds_count')).toEqual([
      {
        http_request_method: 'GET',
        server_address: new URL(sc.app.store.current.config.upstream.endpoints[0]!.url).host,
        http_response_status_code: '',
        error_type: 'upstream_connect_failed',
      },
    ]);
    expect(count('http_server_request_duration_seconds_count')).toEqual([
      {
        http_request_method: 'GET',
        http_route: '/*',
        http_response_status_code: '502',
        error_type: 'upstream_connect_failed',
      },
    ]);
  });

  it('exposes config reloads and telemetry drops at zero from the start, with or without an SDK', async () => {
    const bare = await startSidecar(demo.url); // no telemetry SDK: no drop source to read
    cleanup.push(() => bare.close());
    for (const sc of [await sidecar(1), bare]) {
      const samples = parseExposition((await scrape(sc)).text);
      const value = (name: string, labels: Record<string, string>) =>
        samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
      expect(value('sidelight_config_reloads_total', { result: 'applied' })).toBe(0);
      expect(value('sidelight_config_reloads_total', { result: 'rejected' })).toBe(0);
      expect(value('sidelight_telemetry_dropped_total', { signal: 'traces' })).toBe(0);
      expect(value('sidelight_telemetry_dropped_total', { signal: 'logs' })).toBe(0);
      expect(value('sidelight_config_generation', {})).toBe(1);
      expect(value('http_server_active_requests', {})).toBe(0);
    }
  });
});

describe('label cardinality under hostile traffic', () => {
  // Methods Node's parser accepts (known to semconv or not), and garbage it rejects before the proxy.
  const METHODS = [
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'PURGE',
    'MKCOL',
    'LINK',
    'REPORT',
  ];
  const SEMCONV_METHODS = [
    'CONNECT',
    'DELETE',
    'GET',
    'HEAD',
    'OPTIONS',
    'PATCH',
    'POST',
    'PUT',
    'QUERY',
    'TRACE',
    '_OTHER',
  ];
  const GARBAGE = () => `X${randomBytes(4).toString('hex').toUpperCase()}`;
  const fragments = new Set<string>();
  const frag = (): string => {
    const f = randomBytes(6).toString('hex');
    fragments.add(f);
    return f;
  };
  // Each (method, path kind, host kind) gets a deterministic outcome, and the first 200 requests
  // cycle through every combination (period 66; the garbage slots never hide one of them
  // three times), so any later growth can only come from a raw value reaching a label.
  const PATHS = [
    () => `/api/items/${randomInt(1, 1_000_000)}`, // 200 (405 for methods other than GET/HEAD)
    () => `/api/items/${frag()}`, // 400 from the demo
    () => `/${frag()}/${frag()}?q=${frag()}`, // catch-all: 404 from the demo, or unmatched
  ];
  // The catch-all only serves *.example.test: other hosts are `unmatched` (a local 404).
  const HOSTS = [() => `${frag()}.example.test`, () => `${frag()}.other.test`];

  async function blast(pool: Pool, from: number, to: number): Promise<number> {
    let next = from;
    let failures = 0;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        const garbage = i % 10 === 9;
        const method = garbage ? GARBAGE() : METHODS[i % METHODS.length]!;
        const path = PATHS[Math.floor(i / METHODS.length) % PATHS.length]!();
        const host = HOSTS[Math.floor(i / (METHODS.length * PATHS.length)) % HOSTS.length]!();
        try {
          const res = await pool.request({
            path,
            method,
            headers: {
              host,
              'user-agent': frag(),
              'x-request-id': frag(),
              'x-custom': frag(),
              ...(method === 'POST' || method === 'PUT' ? { 'content-type': 'text/plain' } : {}),
            },
            ...(method === 'POST' || method === 'PUT' ? { body: frag() } : {}),
          });
          await res.body.dump();
        } catch {
          if (!garbage) failures++; // garbage methods get a 400 and a closed connection
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return failures;
  }

  function familyCounts(samples: Sample[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of SIDELIGHT_METRIC_NAMES) out[name] = seriesOf(samples, name).size;
    return out;
  }

  it('keeps series counts flat from 200 to 3,000 random requests, with no raw value in any label', async () => {
    const sc = await startSidecar(
      demo.url,
      {
        telemetry: { sampling: 0.5 },
        routes: [ROUTES[0], { name: 'rest', match: { path: '/*', hosts: ['*.example.test'] } }],
      },
      { telemetry: sdk },
    );
    cleanup.push(() => sc.close());
    const pool = new Pool(sc.url, { connections: 16 });
    cleanup.push(() => pool.close());
    expect(await blast(pool, 0, 200)).toBe(0);
    const early = familyCounts(parseExposition((await scrape(sc)).text));
    expect(await blast(pool, 200, 3_000)).toBe(0);
    const text = (await scrape(sc)).text;
    const samples = parseExposition(text);
    const late = familyCounts(samples);
    expect(late).toEqual(early);
    expect(late.http_server_request_duration_seconds).toBeGreaterThan(3);

    // Closed sets: normalised methods, route templates, status codes, catalogued reasons.
    const routes = new Set(['/api/items/:id', '/*', 'unmatched']);
    const errorTypes = new Set<string>(['', ...ALL_REASONS]);
    for (const s of samples) {
      const l = s.labels;
      if (l.http_request_method !== undefined) expect(SEMCONV_METHODS).toContain(l.http_request_method);
      if (l.http_route !== undefined) expect(routes).toContain(l.http_route);
      if (l.http_response_status_code !== undefined)
        expect(l.http_response_status_code, JSON.stringify(s)).toMatch(/^\d{3}$/);
      if (l.error_type !== undefined && !/^\d{3}$/.test(l.error_type))
        expect(errorTypes).toContain(l.error_type);
    }
    const seen = (label: string) =>
      new Set(samples.map((s) => s.labels[label]).filter((v) => v !== undefined));
    expect(seen('http_request_method')).toContain('_OTHER');
    expect(seen('http_route')).toEqual(routes); // every route template and `unmatched` took traffic
    // No random fragment (path, query, host, header) appears anywhere in the exposition.
    expect(fragments.size).toBeGreaterThan(10_000);
    for (const f of fragments) if (text.includes(f)) throw new Error(`raw value ${f} reached /metrics`);
  });
});
