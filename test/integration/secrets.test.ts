/**
 * Secrets never leave the process (issue 9, item 4). Sidelight runs as a real
 * child process with credentials in its upstream URL, given as a flag and in a
 * config file, exporting to a real OTLP receiver. After requests (one of them
 * failing upstream) and a drain, the password, the userinfo and their Basic
 * form appear nowhere: not on stdout or stderr, not in any OTLP export body
 * (resource, spans, log records), not on /config, /debug/traces,
 * /healthz?verbose or /metrics. And the upstream did get the credentials, as
 * Basic auth.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import { type ChildSidelight, killChildren, spawnSidelight } from '../helpers/child-sidelight.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { startSidecar } from '../helpers/sidelight.ts';
import { httpUpstream, type TestServer } from '../helpers/upstreams.ts';

const USER = 'sidecar-user';
// A `@` and a `/` in the password: percent-encoded in the URL, decoded for Basic auth.
const PASSWORD = 's3cr3t/p4ss@word';
const ENCODED = encodeURIComponent(PASSWORD);
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const COLLECTOR_KEY = 'collector-k3y-0042';
/** What must never be seen outside the process. */
const SECRETS = [PASSWORD, ENCODED, BASIC, `${USER}:${ENCODED}`, COLLECTOR_KEY];
/** W3C traceparent with the sampled flag: every request is traced and logged. */
const SAMPLED = () => `00-${crypto.randomUUID().replaceAll('-', '')}-${'1'.repeat(16)}-01`;

let upstream: TestServer;
const seenAuthorization: (string | undefined)[] = [];
let rx: OtlpReceiver;
let dir: string;

beforeAll(async () => {
  upstream = await httpUpstream((req, res) => {
    seenAuthorization.push(req.headers.authorization);
    // A reset after the request arrived: the proxy answers 502 and logs a warning.
    if (req.url === '/reset') {
      req.socket.resetAndDestroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = await mkdtemp(join(tmpdir(), 'sidelight-secrets-'));
});
afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  killChildren();
  await rx?.close();
});

function secretUrl(): string {
  return `http://${USER}:${ENCODED}@127.0.0.1:${upstream.port}`;
}

function hits(where: string, text: string): string[] {
  return SECRETS.filter((s) => text.includes(s)).map((s) => `${where} contains ${JSON.stringify(s)}`);
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers: { traceparent: SAMPLED(), ...headers } });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Runs the scenario against a started child; returns every place that leaked. */
async function exercise(c: ChildSidelight): Promise<string[]> {
  const { proxy, admin } = await c.listening();
  // One start-up record names where each signal goes.
  const dest = c.records().find((r) => r.telemetry !== undefined)?.telemetry;
  expect(dest).toEqual({
    traces: `${rx.url}/v1/traces`,
    logs: `stdout, ${rx.url}/v1/logs`,
    metrics: `${admin}/metrics`,
  });
  seenAuthorization.length = 0;
  expect((await get(`${proxy}/hello`)).status).toBe(200);
  expect((await get(`${proxy}/reset`)).status).toBe(502);
  // The client's own credentials are forwarded, not replaced.
  expect((await get(`${proxy}/own`, { authorization: 'Bearer client-token' })).status).toBe(200);
  expect(seenAuthorization).toEqual([`Basic ${BASIC}`, `Basic ${BASIC}`, 'Bearer client-token']);

  const leaks: string[] = [];
  const config = await get(`${admin}/config`);
  // Shown, with the userinfo redacted: the rest of the URL is still there.
  expect(config.body).toContain(`http://[redacted]@127.0.0.1:${upstream.port}`);
  leaks.push(...hits('/config', config.body));
  for (const path of ['/debug/traces', '/healthz?verbose', '/metrics'])
    leaks.push(...hits(path, (await get(`${admin}${path}`)).body));

  expect(await c.stop()).toBe(0);
  leaks.push(...hits('stdout', c.stdout()), ...hits('stderr', c.stderr()));
  // The drain flushed the exports: the failing request's warning and the CLIENT spans are in.
  const client = rx.spans.filter((s) => s.kind === 'CLIENT');
  expect(client.length).toBeGreaterThanOrEqual(3);
  for (const s of client) expect(s.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  expect(rx.logs.some((l) => l.severityText === 'WARN')).toBe(true);
  expect(rx.logs.some((l) => String(l.body).startsWith('listening on'))).toBe(true);
  for (const [i, body] of rx.raw.entries()) leaks.push(...hits(`OTLP export #${i}`, body));
  return leaks;
}

function configYaml(url: string): string {
  return [
    'listen: 127.0.0.1:0',
    'admin: { listen: 127.0.0.1:0 }',
    'upstream:',
    '  endpoints:',
    `    - url: ${url}`,
    'telemetry: { sampling: 1 }',
    '',
  ].join('\n');
}

describe('credentials in the upstream URL', () => {
  it('never leave the process when given as --upstream, and are sent as Basic auth', async () => {
    rx = await startOtlpReceiver();
    const c = spawnSidelight(
      ['--upstream', secretUrl(), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
      { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${COLLECTOR_KEY}` },
    );
    expect(await exercise(c)).toEqual([]);
    // argv is still described, with the credentials taken out.
    const args = rx.spans[0]!.resource['process.command_args'] as string[];
    expect(args).toContain(`http://[redacted]@127.0.0.1:${upstream.port}`);
  });

  it('never leave the process when written in the config file, and are sent as Basic auth', async () => {
    rx = await startOtlpReceiver();
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, configYaml(secretUrl()));
    const c = spawnSidelight(['--config', file], { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    expect(await exercise(c)).toEqual([]);
  });

  it('stay secret after a reload that changes them, and the new ones are sent', async () => {
    rx = await startOtlpReceiver();
    const file = join(dir, 'reloaded.yaml');
    await writeFile(file, configYaml(secretUrl()));
    const c = spawnSidelight(['--config', file], { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    const { proxy, admin } = await c.listening();
    const next = 'n3xt-pa55word';
    await writeFile(file, configYaml(`http://${USER}:${next}@127.0.0.1:${upstream.port}`));
    c.child.kill('SIGHUP');
    await c.waitForRecord((r) => r.generation === 2 && String(r.msg).startsWith('config reloaded'));
    seenAuthorization.length = 0;
    expect((await get(`${proxy}/reset`)).status).toBe(502);
    const basic = Buffer.from(`${USER}:${next}`).toString('base64');
    expect(seenAuthorization).toEqual([`Basic ${basic}`]);
    const shown = (await get(`${admin}/config`)).body;
    expect(await c.stop()).toBe(0);
    const outside = [shown, c.stdout(), c.stderr(), ...rx.raw].join('\n');
    for (const s of [...SECRETS, next, basic]) expect(outside).not.toContain(s);
  });

  it('are learnt from every config applied, so a new secret is scrubbed from the first line', async () => {
    const sc = await startSidecar(secretUrl());
    try {
      const next = 'r3loaded-secret';
      expect(sc.app.redactor.scrub(`x ${PASSWORD} ${next}`)).toBe(`x [redacted] ${next}`);
      sc.app.apply(
        validateConfig(
          {
            listen: '127.0.0.1:0',
            admin: { listen: '127.0.0.1:0' },
            upstream: { endpoints: [{ url: `http://${USER}:${next}@127.0.0.1:${upstream.port}` }] },
          },
          '<test>',
        ),
      );
      // The old secret stays secret too: it may still be in flight in a retiring runtime's logs.
      expect(sc.app.redactor.scrub(`x ${PASSWORD} ${next}`)).toBe('x [redacted] [redacted]');
    } finally {
      await sc.close();
    }
  });
});
