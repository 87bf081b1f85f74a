/**
 * The `sidelight` command as a child process: usage, exit codes, validate,
 * running in front of an upstream with graceful SIGTERM, env equivalents and
 * the demo command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MAIN = join(ROOT, 'src/main.ts');

type Demo = Awaited<ReturnType<typeof startDemoServer>>;
let demo: Demo;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  demo = await startDemoServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'sidelight-cli-'));
});
afterAll(async () => {
  await demo.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Cli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves once stdout contains a match for `re`. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
}

function cli(args: string[], env: Record<string, string> = {}): Cli {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SIDELIGHT_|OTEL_)/.test(k)),
  );
  const child = spawn(NODE, [MAIN, ...args], { cwd: ROOT, env: { ...clean, ...env } });
  children.push(child);
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (re) =>
      new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const m = out.match(re);
          if (m) resolvePromise(m);
        };
        watchers.push(check);
        check();
        void exited.then(() => reject(new Error(`exited before ${re}: ${out}${err}`)));
      }),
  };
}

/** Runs to completion; resolves with the exit code and the output. */
async function run(args: string[], env: Record<string, string> = {}) {
  const c = cli(args, env);
  const code = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Parses the proxy URL from the JSON `listening on ...` log line. */
async function proxyUrlOf(c: Cli): Promise<string> {
  const [line] = await c.waitFor(/^\{.*"msg":"listening on [^\n]*\}$/m);
  const record = JSON.parse(line) as { proxy: string; admin: string };
  expect(record.proxy).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  return record.proxy;
}

describe('usage', () => {
  it('prints usage and exits 0 on --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}sidelight /);
    expect(r.stdout).toContain('--upstream URL');
  });

  it('prints the version and exits 0 on --version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sidelight 0.1.0\n');
  });

  it('exits 2 with one line on stderr for an unknown flag', async () => {
    const r = await run(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidelight: .*bogus.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 2 with a one-line reason when no upstream is given', async () => {
    const r = await run(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidelight: .*upstream.*\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('validate', () => {
  it('exits 0 with the summary line for a valid file', async () => {
    const file = join(dir, 'valid.yaml');
    await writeFile(
      file,
      'upstream:\n  endpoints:\n    - url: http://127.0.0.1:3000\nroutes:\n' +
        '  - name: api\n    match: { path: /api/* }\n  - name: rest\n    match: { path: /* }\n',
    );
    const r = await run(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file}: ok (2 routes, 1 endpoint)\n`);
  });

  it('exits 2 and prints "file: field.path: reason" for every problem of an invalid file', async () => {
    const file = join(dir, 'invalid.yaml');
    await writeFile(
      file,
      'listen: nowhere\nupstream:\n  endpoints:\n    - url: ftp://example\ntimeouts:\n  connect: 5 parsecs\n',
    );
    const r = await run(['validate', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.startsWith(`${file}: `), line).toBe(true);
    const paths = lines.map((l) => l.slice(file.length + 2).split(': ')[0]);
    expect(paths).toEqual(
      expect.arrayContaining(['listen', 'upstream.endpoints[0].url', 'timeouts.connect']),
    );
  });
});

describe('running the proxy', () => {
  it('proxies requests, then drains and exits 0 on SIGTERM', async () => {
    const c = cli(['--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    const url = await proxyUrlOf(c);
    const res = await request(`${url}/api/items/9`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { id: number }).id).toBe(9);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('finishes a request in flight before exiting 0 on SIGTERM', async () => {
    const c = cli(['--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    const url = await proxyUrlOf(c);
    // The demo seeing the request means the proxy has it in flight.
    const arrived = new Promise<void>((done) => {
      const onRequest = (req: http.IncomingMessage): void => {
        if (!req.url?.startsWith('/slow')) return;
        demo.server.off('request', onRequest);
        done();
      };
      demo.server.on('request', onRequest);
    });
    const pending = request(`${url}/slow?ms=700`);
    await arrived;
    c.child.kill('SIGTERM');
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ waited: 700 });
    expect(await c.exited).toBe(0);
  });

  it('takes the upstream and listen address from SIDELIGHT_UPSTREAM and SIDELIGHT_LISTEN', async () => {
    const c = cli([], {
      SIDELIGHT_UPSTREAM: demo.url,
      SIDELIGHT_LISTEN: '127.0.0.1:0',
      SIDELIGHT_ADMIN: '127.0.0.1:0',
    });
    const url = await proxyUrlOf(c);
    const res = await request(`${url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

describe('demo', () => {
  it('prints working URLs for the demo service, the sidecar and admin, and exits 0 on SIGTERM', async () => {
    const c = cli([
      'demo',
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--demo-listen',
      '127.0.0.1:0',
    ]);
    const [, service] = await c.waitFor(/^demo service +(http:\/\/\S+)$/m);
    const [, sidecar, admin] = await c.waitFor(/^sidecar +(http:\/\/\S+) +\(admin (http:\/\/\S+)\)$/m);
    for (const u of [service, sidecar, admin]) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const item = await request(`${sidecar}/api/items/42`);
    expect(item.statusCode).toBe(200);
    expect(((await item.body.json()) as { id: number }).id).toBe(42);
    expect(item.headers.via).toBe('1.1 sidelight');
    const direct = await request(`${service}/healthz`);
    expect(await direct.body.text()).toBe('ok');
    const ready = await request(`${admin}/readyz`);
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();
    expect(c.stdout()).toContain(`curl ${sidecar}/api/items/42`);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});
