/**
 * The CLI's config commands as a user runs them: `sidelight validate FILE`,
 * and a running `sidelight --config FILE` that reloads on change and SIGHUP.
 * Real child processes of `node src/main.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
// A clean environment: no SIDELIGHT_* or OTEL_* from the developer's shell.
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

let dir: string;
let demo: Awaited<ReturnType<typeof startDemoServer>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidelight-cli-'));
  demo = await startDemoServer({ port: 0 });
});

afterAll(async () => {
  await demo.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('sidelight validate', () => {
  it('prints every problem as "file: path: message" and exits 2', async () => {
    const path = await file(
      'bad.yaml',
      [
        'tmeouts: { connect: 1s }',
        'upstream: { endpoints: [{ url: "http://127.0.0.1:3000/api" }] }',
        'timeouts: { connect: 5 sec }',
        'routes:',
        '  - { name: a, match: { path: "/a/*/b" } }',
        '  - { name: a, match: { path: /b, hosts: ["b.example.com:80"] } }',
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await run(['validate', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      `${path}: upstream.endpoints[0].url: an endpoint is an origin (scheme://host:port) without path, query or fragment`,
      `${path}: timeouts.connect: expected a duration such as "250ms", "5s" or "2m" (or a number of milliseconds), not "5 sec"`,
      `${path}: routes[0].match.path: invalid route template: the wildcard "*" may only be the last segment`,
      `${path}: routes[1].match.hosts[0]: host pattern "b.example.com:80" must not include a port (the request's port is ignored)`,
      `${path}: routes[1].name: duplicate route name "a" (first used by routes[0])`,
      `${path}: tmeouts: unrecognized key "tmeouts" (did you mean "timeouts"?)`,
    ]);
  });

  it('prints a summary and exits 0 for a good file', async () => {
    const path = await file('good.yaml', 'upstream: { endpoints: [{ url: http://127.0.0.1:3000 }] }\n');
    expect(await run(['validate', path])).toEqual({
      code: 0,
      stdout: `${path}: ok (1 route, 1 endpoint)\n`,
      stderr: '',
    });
  });

  it('validates a TypeScript config that imports defineConfig from the package (plain Node, no test runner)', async ({
    expect,
  }) => {
    const fixture = 'test/fixtures/config/sidelight.config.ts';
    expect(await run(['validate', fixture])).toEqual({
      code: 0,
      stdout: `${fixture}: ok (2 routes, 1 endpoint)\n`,
      stderr: '',
    });
  });

  it('reports a missing file', async () => {
    const path = join(dir, 'nope.yaml');
    expect(await run(['validate', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}: (root): cannot read file: ENOENT\n`,
    });
  });
});

/** A running `sidelight --config FILE`, its JSON log lines as they arrive. */
function startProcess(config: string): {
  child: ChildProcess;
  next(pattern: RegExp): Promise<Record<string, unknown>>;
} {
  const child = spawn(
    process.execPath,
    [MAIN, '--config', config, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
    {
      env: ENV,
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p));
  });
  let seen = 0;
  return {
    child,
    async next(pattern) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        while (seen < lines.length) {
          const line = lines[seen++]!;
          if (pattern.test(String(line.msg))) return line;
        }
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `no log line matching ${pattern}; stderr: ${stderr}; log: ${JSON.stringify(lines)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('sidelight --config FILE', () => {
  it('reloads when the file changes and on SIGHUP, keeps a bad file out, and stops cleanly', async () => {
    const path = join(dir, 'running.yaml');
    const yaml = (routes: string) => `upstream: { endpoints: [{ url: "${demo.url}" }] }\nroutes: ${routes}\n`;
    await writeFile(path, yaml('[{ name: items, match: { path: /api/items/:id } }]'));
    const proc = startProcess(path);
    try {
      const listening = await proc.next(/^listening on /);
      const adminUrl = String(listening.admin);
      await proc.next(/^watching /);

      // An editor-style save: the watcher picks it up.
      await writeFile(`${path}.tmp`, yaml('[{ name: all, match: { path: "/*" } }]'));
      await rename(`${path}.tmp`, path);
      expect(await proc.next(/^config reloaded/)).toMatchObject({ generation: 2, reason: 'file changed' });

      // SIGHUP with nothing changed: a reload that finds nothing to do.
      proc.child.kill('SIGHUP');
      expect(await proc.next(/^config unchanged/)).toMatchObject({ generation: 2, reason: 'SIGHUP' });

      // A bad file: rejected, logged with the field path, generation kept.
      await writeFile(`${path}.tmp`, yaml('[{ name: all, match: { path: "/*/x" } }]'));
      await rename(`${path}.tmp`, path);
      expect(await proc.next(/^config reload rejected/)).toMatchObject({
        level: 'error',
        file: path,
        path: 'routes[0].match.path',
        generation: 2,
      });
      const ready = await request(`${adminUrl}/readyz`);
      expect(await ready.body.json()).toEqual({ status: 'ready', generation: 2 });

      proc.child.kill('SIGTERM');
      await proc.next(/^stopped$/);
      const code = await new Promise((r) =>
        proc.child.exitCode !== null ? r(proc.child.exitCode) : proc.child.on('exit', r),
      );
      expect(code).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
