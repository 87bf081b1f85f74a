/**
 * The drain a load balancer can follow (issue #9), on a real `sidelight`
 * child process: readiness turns 503 while the listener still accepts (for
 * `shutdown.drainDelay`), then accept stops, requests in flight finish, and
 * the process exits right after its last response. The upstream holds its
 * responses until the test releases them, so every step is ordered by events,
 * not by sleeping. Exit latency (last response -> process exit) is measured
 * and printed; it is not asserted against a budget (issue #19).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_DRAIN_DELAY_MS, drainDelayMs } from '../../src/cli/run.ts';
import { validateConfig } from '../../src/config/load.ts';
import { connectRaw, httpUpstream, refusedPort, type TestServer } from '../helpers/upstreams.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MAIN = join(ROOT, 'src/main.ts');
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

let dir: string;
let upstream: TestServer;
/** Requests to /hold wait here until released. */
const held: http.ServerResponse[] = [];
const heldWaiters: (() => void)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidelight-drain-'));
  upstream = await httpUpstream((req, res) => {
    if (req.url?.startsWith('/hold')) {
      held.push(res);
      for (const w of heldWaiters.splice(0)) w();
      return;
    }
    res.end('ok');
  });
});
afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const res of held.splice(0)) res.destroy();
});

/** Resolves once `n` requests are held by the upstream (so the proxy has them in flight). */
async function untilHeld(n: number): Promise<void> {
  while (held.length < n) await new Promise<void>((r) => heldWaiters.push(r));
}

interface Proc {
  readonly child: ChildProcess;
  readonly records: Record<string, unknown>[];
  /** Resolves with the first log record whose msg matches. */
  record(msg: RegExp): Promise<Record<string, unknown>>;
  /** Resolves with [exit code, performance.now() at exit]. */
  readonly exited: Promise<[number | null, number]>;
  readonly proxy: string;
  readonly admin: string;
}

async function sidelight(shutdown: object, env: Record<string, string> = {}): Promise<Proc> {
  const file = join(dir, `sidelight-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0' },
      upstream: { endpoints: [{ url: upstream.url }] },
      shutdown,
    }),
  );
  const child = spawn(NODE, [MAIN, '--config', file], { env: { ...ENV, ...env } });
  children.push(child);
  const records: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) records.push(JSON.parse(line));
    for (const w of waiters.splice(0)) w();
  });
  const exited = once(child, 'exit').then(([code]): [number | null, number] => [
    code as number | null,
    performance.now(),
  ]);
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of waiters.splice(0)) w();
  });
  const record = async (msg: RegExp) => {
    for (;;) {
      const found = records.find((r) => msg.test(String(r.msg)));
      if (found) return found;
      if (gone) throw new Error(`exited without a record matching ${msg}: ${stderr}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const listening = await record(/^listening on /);
  // Logged right before the signal handlers go in (cli/run.ts): a signal before it would kill.
  await record(/^watching /);
  return {
    child,
    records,
    record,
    exited,
    proxy: String(listening.proxy),
    admin: String(listening.admin),
  };
}

/** A fresh connection per request, so "still accepting" is really about accept. */
async function fresh(
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const agent = new Agent({ pipelining: 0 });
  try {
    const res = await request(url, { dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  } finally {
    await agent.destroy();
  }
}

async function untilReadyz(admin: string, status: number): Promise<void> {
  while ((await fresh(`${admin}/readyz`)).status !== status) await sleep(10);
}

/** Sends the upstream's held responses, and resolves with when the last one reached its client. */
async function releaseAll(pending: Promise<{ status: number; body: string }>[]): Promise<number> {
  for (const res of held.splice(0)) res.end('released');
  let last = 0;
  for (const r of await Promise.all(pending.map((p) => p.then((v) => [v, performance.now()] as const)))) {
    expect(r[0]).toEqual(expect.objectContaining({ status: 200, body: 'released' }));
    last = Math.max(last, r[1]);
  }
  return last;
}

describe('drain on SIGTERM', () => {
  it('turns readiness 503 first, keeps accepting during the delay, then stops accepting and exits after the last request', async () => {
    // A delay far longer than the test: a second SIGTERM ends it, so no step races a timer.
    const p = await sidelight({ drainDelay: '10m', drainTimeout: '1m' });
    expect((await fresh(`${p.admin}/readyz`)).status).toBe(200);
    const early = fresh(`${p.proxy}/hold/early`);
    await untilHeld(1);

    p.child.kill('SIGTERM');
    expect(await p.record(/^draining/)).toMatchObject({ signal: 'SIGTERM', drain_delay_ms: 600_000 });
    await untilReadyz(p.admin, 503);
    // Readiness is 503 and the listener still accepts: new connections are served,
    // each told to close so keep-alive clients move on.
    const during = await fresh(`${p.proxy}/plain`);
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');
    const late = fresh(`${p.proxy}/hold/late`);
    await untilHeld(2);
    expect(p.records.some((r) => r.msg === 'stopped accepting connections')).toBe(false);

    // The second signal ends the delay: accept stops, the two requests in flight go on.
    p.child.kill('SIGTERM');
    expect(await p.record(/^stopped accepting connections$/)).toMatchObject({ inflight: 2 });
    await expect(connectRaw(p.proxy)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await fresh(`${p.admin}/readyz`)).status).toBe(503);

    const lastResponse = await releaseAll([early, late]);
    const [code, exitAt] = await p.exited;
    expect(code).toBe(0);
    expect(exitAt).toBeGreaterThan(lastResponse);
    console.log(`exit latency after the last response: ${(exitAt - lastResponse).toFixed(1)} ms`);
    expect(await p.record(/^stopped$/)).toMatchObject({ abandoned: 0 });
  });

  it('keeps accepting for the configured delay by itself, then stops', async () => {
    const p = await sidelight({ drainDelay: '300ms' });
    const inflight = fresh(`${p.proxy}/hold/1`);
    await untilHeld(1);
    p.child.kill('SIGTERM');
    const draining = await p.record(/^draining/);
    const stopped = await p.record(/^stopped accepting connections$/);
    // A timer never fires early, so this lower bound cannot flake.
    expect(Date.parse(String(stopped.time)) - Date.parse(String(draining.time))).toBeGreaterThanOrEqual(300);
    await expect(connectRaw(p.proxy)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const lastResponse = await releaseAll([inflight]);
    const [code, exitAt] = await p.exited;
    expect(code).toBe(0);
    console.log(`exit latency after the last response: ${(exitAt - lastResponse).toFixed(1)} ms`);
    expect(Number((await p.record(/^stopped$/)).delayed_ms)).toBeGreaterThanOrEqual(300);
  });

  it('waits 5 s in a Kubernetes pod by default ("auto"), and not at all elsewhere', async () => {
    const p = await sidelight({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    p.child.kill('SIGTERM');
    expect(await p.record(/^draining/)).toMatchObject({ drain_delay_ms: AUTO_DRAIN_DELAY_MS });
    await untilReadyz(p.admin, 503);
    expect((await fresh(`${p.proxy}/plain`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect((await p.exited)[0]).toBe(0);

    const q = await sidelight({});
    q.child.kill('SIGTERM');
    expect(await q.record(/^draining/)).toMatchObject({ drain_delay_ms: 0 });
    expect((await q.exited)[0]).toBe(0);
  });

  it('exits soon after its last request even when the OTLP collector is unreachable', async () => {
    const p = await sidelight({}, { OTEL_EXPORTER_OTLP_ENDPOINT: await refusedPort() });
    const inflight = fresh(`${p.proxy}/hold/1`);
    await untilHeld(1);
    p.child.kill('SIGTERM');
    await p.record(/^stopped accepting connections$/);
    const lastResponse = await releaseAll([inflight]);
    const [code, exitAt] = await p.exited;
    expect(code).toBe(0);
    console.log(
      `exit latency after the last response, collector down: ${(exitAt - lastResponse).toFixed(1)} ms`,
    );
    // The final export was cut off by the bound (cli/run.ts FINAL_FLUSH_MS), and said so.
    expect(await p.record(/^telemetry export did not finish within \d+ ms/)).toMatchObject({ level: 'warn' });
  });
});

describe('shutdown.drainDelay', () => {
  const config = (drainDelay?: unknown) =>
    validateConfig(
      {
        upstream: { endpoints: [{ url: 'http://127.0.0.1:3000' }] },
        ...(drainDelay === undefined ? {} : { shutdown: { drainDelay } }),
      },
      '<test>',
    );

  it('resolves "auto" by whether the process runs in a Kubernetes pod', () => {
    expect(drainDelayMs(config(), {})).toBe(0);
    expect(drainDelayMs(config(), { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toBe(5000);
    expect(drainDelayMs(config('2s'), { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toBe(2000);
    expect(drainDelayMs(config(0), { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toBe(0);
  });
});
