/**
 * The standard OTEL_* variables behave as users expect (issue 4): each case
 * sets the variables, starts a fresh SDK and a sidecar, sends traffic, and
 * reads what a real OTLP receiver decoded. One SDK at a time: it registers
 * globally, and `shutdown()` unregisters it for the next case.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { useDemoUpstream } from '../helpers/fixtures.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { startSidecar, type TestSidecar } from '../helpers/sidelight.ts';

const demo = useDemoUpstream();
const VARS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
let live: { rx?: OtlpReceiver; sdk?: TelemetrySdk; sc?: TestSidecar } = {};

afterEach(async () => {
  await live.sc?.close();
  await live.sdk?.shutdown();
  await live.rx?.close();
  live = {};
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

/** Sets `vars` (the endpoint points at a fresh receiver unless `endpoint: false`), starts SDK + sidecar. */
async function start(
  vars: Partial<Record<(typeof VARS)[number], string>>,
  { endpoint = true, sampling = 1 } = {},
) {
  const rx = await startOtlpReceiver();
  const env: Record<string, string> = { ...vars };
  if (endpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = rx.url;
  Object.assign(process.env, env);
  // Exports happen on forceFlush only (no timer): after a flush, what was to be
  // exported has been, so absence can be asserted without waiting.
  const sdk = startTelemetrySdk({
    recentTraces: 10,
    env,
    batch: { scheduledDelayMillis: 600_000 },
  });
  const sc = await startSidecar(demo.url, { telemetry: { sampling } }, { telemetry: sdk });
  live = { rx, sdk, sc };
  return { rx, sdk, sc };
}

async function get(sc: TestSidecar, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${sc.url}${path}`, { headers });
  const body = await res.body.text();
  return { status: res.statusCode, body };
}

describe('standard OTEL_* variables', () => {
  it('takes the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    const { rx, sdk, sc } = await start({
      OTEL_SERVICE_NAME: 'checkout-sidecar',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=edge',
    });
    expect((await get(sc, '/api/items/1')).status).toBe(200);
    await sdk.forceFlush();
    const span = await rx.waitFor(() => rx.spans.find((s) => s.kind === 'SERVER'));
    expect(span.resource['service.name']).toBe('checkout-sidecar');
    expect(span.resource['deployment.environment.name']).toBe('test');
    expect(span.resource.team).toBe('edge');
  });

  it('names the service sidelight when OTEL_SERVICE_NAME is not set', async () => {
    const { rx, sdk, sc } = await start({});
    await get(sc, '/api/items/1');
    await sdk.forceFlush();
    const span = await rx.waitFor(() => rx.spans.find((s) => s.kind === 'SERVER'));
    expect(span.resource['service.name']).toBe('sidelight');
  });

  it('uses OTEL_TRACES_SAMPLER instead of the configured ratio (always_off exports nothing)', async () => {
    const { rx, sdk, sc } = await start({ OTEL_TRACES_SAMPLER: 'always_off' }, { sampling: 1 });
    for (let i = 0; i < 20; i++) expect((await get(sc, `/api/items/${i + 1}`)).status).toBe(200);
    await sdk.forceFlush();
    expect(rx.spans).toEqual([]);
  });

  it('honours OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG', async () => {
    const { rx, sdk, sc } = await start(
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      { sampling: 1 },
    );
    await get(sc, '/api/items/1');
    // A sampled parent still wins over the ratio (parent-based).
    const traceId = randomBytes(16).toString('hex');
    await get(sc, '/api/items/2', { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    await sdk.forceFlush();
    await rx.waitFor(() => rx.spans.some((s) => s.kind === 'SERVER'));
    expect(new Set(rx.spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
  });

  it('exports nothing with OTEL_SDK_DISABLED=true, proxies normally and passes the client trace context through', async () => {
    const { rx, sdk, sc } = await start({ OTEL_SDK_DISABLED: 'true' });
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const res = await get(sc, '/headers', { traceparent, baggage: 'user=42' });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(seen.headers.traceparent).toBe(traceparent);
    expect(seen.headers.baggage).toBe('user=42');
    // A flush hands every finished span to its exporter and waits for the export:
    // afterwards, a span that was going to be exported has been.
    await sdk.forceFlush();
    expect(rx.spans).toEqual([]);
    expect(rx.requests.traces).toBe(0);
  });

  it('exports no spans with OTEL_TRACES_EXPORTER=none but still keeps recent traces', async () => {
    const { rx, sdk, sc } = await start({ OTEL_TRACES_EXPORTER: 'none' });
    await get(sc, '/api/items/1');
    await sdk.forceFlush();
    expect(rx.requests.traces).toBe(0);
    const traces = (await (await request(`${sc.adminUrl}/debug/traces`)).body.json()) as {
      recent: unknown[];
    };
    expect(traces.recent).toHaveLength(1);
  });

  it('exports nothing without an endpoint, yet /debug/traces has the trace with its phases', async () => {
    const { rx, sdk, sc } = await start({}, { endpoint: false });
    await get(sc, '/api/items/7');
    await sdk.forceFlush();
    expect(rx.requests.traces).toBe(0);
    const body = (await (await request(`${sc.adminUrl}/debug/traces`)).body.json()) as {
      recent: { name: string; spans: { name: string }[] }[];
    };
    expect(body.recent[0]?.name).toBe('GET /*');
    expect(body.recent[0]?.spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['GET /*', 'sidelight.route', 'GET', 'sidelight.respond']),
    );
  });
});
