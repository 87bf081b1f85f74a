/**
 * Issue #10 item 6: exposition fixes. The same sample names in the classic
 * text format and in OpenMetrics (promtool lints the classic one in
 * telemetry-metrics.test.ts; promtool 2.42 cannot parse OpenMetrics with
 * exemplars at all, so a real Prometheus scrapes that one in
 * telemetry-prometheus.test.ts); series of routes a reload removed leave
 * `/metrics` (and counts of routes it kept carry on).
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { parseExposition } from '../helpers/prometheus.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

const demo = useDemoUpstream();
const cleanup = useCleanup();

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

async function scrape(sc: TestSidecar, accept?: string): Promise<string> {
  const res = await request(`${sc.adminUrl}/metrics`, { headers: accept ? { accept } : {} });
  return res.body.text();
}

async function get(sc: TestSidecar, path: string): Promise<void> {
  const res = await request(`${sc.url}${path}`);
  await res.body.text();
}

const ROUTES = [
  { name: 'items', match: { path: '/api/items/:id' } },
  { name: 'users', match: { path: '/users/:id' } },
  { name: 'rest', match: { path: '/*' } },
];

describe('/metrics in both formats', () => {
  it('names every sample alike in the classic text format and in OpenMetrics', async () => {
    const sc = await startSidecar(demo.url, { routes: ROUTES });
    cleanup.push(() => sc.close());
    for (const p of ['/api/items/1', '/users/2', '/status/503']) await get(sc, p);
    const names = (text: string) => new Set(parseExposition(text).map((s) => s.name));
    const classic = names(await scrape(sc));
    const om = names(await scrape(sc, OPENMETRICS));
    expect([...om].sort()).toEqual([...classic].sort());
    expect(classic).toContain('process_cpu_user_seconds_total');
    expect(classic).toContain('sidelight_config_reloads_total');
  });
});

describe('series of removed routes', () => {
  it('leave /metrics when the runtime that served them retires; kept routes keep counting', async () => {
    const sc = await startSidecar(demo.url, { routes: ROUTES });
    cleanup.push(() => sc.close());
    await get(sc, '/api/items/1');
    await get(sc, '/users/2');
    const routesIn = (text: string, name: string) =>
      new Set(
        parseExposition(text)
          .filter((s) => s.name === name)
          .map((s) => s.labels.http_route),
      );
    let text = await scrape(sc);
    expect(routesIn(text, 'http_server_request_duration_seconds_count')).toEqual(
      new Set(['/api/items/:id', '/users/:id']),
    );
    sc.app.apply(
      validateConfig(
        {
          listen: '127.0.0.1:0',
          admin: { listen: '127.0.0.1:0' },
          upstream: { endpoints: [{ url: demo.url }] },
          routes: [ROUTES[0], ROUTES[2]],
        },
        '<test>',
      ),
    );
    // No request was in flight: the old runtime retired in the swap itself.
    await get(sc, '/api/items/3');
    text = await scrape(sc);
    for (const name of [
      'http_server_request_duration_seconds_count',
      'sidelight_phase_duration_seconds_count',
      'http_server_request_body_size_bytes_count',
      'http_server_response_body_size_bytes_count',
    ]) {
      expect(routesIn(text, name), name).toEqual(new Set(['/api/items/:id']));
    }
    const items = parseExposition(text).find(
      (s) =>
        s.name === 'http_server_request_duration_seconds_count' && s.labels.http_route === '/api/items/:id',
    );
    expect(items?.value).toBe(2);
  });
});
