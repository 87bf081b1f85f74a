/**
 * Start-up friction a new user hits in the first minutes (issue #9): an older
 * system Node, a TypeScript config outside the project, a mistyped flag, a
 * YAML syntax error. Real child processes; the old Node is the system one
 * (/usr/bin/node, Debian's `nodejs`, installed by scripts/setup.sh).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/sidelight.js');
const NODE = join(ROOT, 'node_modules/.bin/node');
const SYSTEM_NODE = '/usr/bin/node';
const ENGINES = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
).engines.node;
// A clean environment: no SIDELIGHT_* or OTEL_* from the developer's shell.
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

let dir: string;
let demo: Awaited<ReturnType<typeof startDemoServer>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Outside the repository, so no node_modules above it can resolve 'sidelight'.
  dir = await mkdtemp(join(tmpdir(), 'sidelight-startup-'));
  demo = await startDemoServer({ port: 0 });
});
afterAll(async () => {
  await demo.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(cmd: string, args: string[], env: Record<string, string> = ENV) {
  const child = spawn(cmd, args, { cwd: dir, env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = once(child, 'close').then(([code]): Ran => ({ code: code as number | null, stdout, stderr }));
  return { child, done, stdout: () => stdout };
}

const run = (cmd: string, args: string[], env?: Record<string, string>) => start(cmd, args, env).done;

function majorMinor(v: string): [number, number] {
  const [major = 0, minor = 0] = v
    .replace(/^[^\d]*/, '')
    .split('.')
    .map(Number);
  return [major, minor];
}

describe('an older Node', () => {
  it('is what /usr/bin/node is here (the precondition of the next tests)', async () => {
    expect(existsSync(SYSTEM_NODE), `${SYSTEM_NODE} (apt-get install nodejs; scripts/setup.sh)`).toBe(true);
    const { stdout } = await run(SYSTEM_NODE, ['--version']);
    const [have, want] = [majorMinor(stdout.trim()), majorMinor(ENGINES)];
    expect(have[0] * 1000 + have[1]).toBeLessThan(want[0] * 1000 + want[1]);
  });

  const expectAdvice = (r: Ran) => {
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(r.stderr).toContain(`sidelight: needs Node.js ${ENGINES}`);
    expect(r.stderr).toMatch(/this is Node\.js v\d+\.\d+\.\d+ \(\/usr\/bin\/node\)/);
    expect(r.stderr).toContain('`npm ci` installs the pinned Node 24');
    expect(r.stderr).toContain('nvm install 24');
  };

  it('hears which Node sidelight needs and how to get it (node bin/sidelight.js)', async () => {
    expectAdvice(await run(SYSTEM_NODE, [BIN, '--upstream', demo.url]));
  });

  it('hears the same when bin/sidelight.js runs through its shebang with the old node first on PATH', async () => {
    expectAdvice(await run(BIN, ['--version'], { ...ENV, PATH: `/usr/bin:/bin` }));
  });

  it('is not in the way of the pinned Node', async () => {
    expect(await run(NODE, [BIN, '--version'])).toEqual({ code: 0, stdout: 'sidelight 0.1.0\n', stderr: '' });
  });
});

describe('a TypeScript config outside the project', () => {
  const configTs = (url: string) => `import { defineConfig } from 'sidelight';

export default defineConfig({
  listen: '127.0.0.1:0',
  admin: { listen: '127.0.0.1:0' },
  upstream: { endpoints: [{ url: '${url}' }] },
  routes: [{ name: 'items', match: { path: '/api/items/:id' } }],
});
`;

  it("validates with `import { defineConfig } from 'sidelight'`", async () => {
    const file = join(dir, 'sidelight.config.ts');
    await writeFile(file, configTs('http://127.0.0.1:3000'));
    expect(await run(NODE, [BIN, 'validate', file])).toEqual({
      code: 0,
      stdout: `${file}: ok (1 route, 1 endpoint)\n`,
      stderr: '',
    });
  });

  it('runs the proxy from it', async () => {
    const file = join(dir, 'run.config.ts');
    await writeFile(file, configTs(demo.url));
    const c = start(NODE, [BIN, '--config', file]);
    const listening = await new Promise<string>((ok, fail) => {
      const timer = setInterval(() => {
        const m = /"proxy":"(http:[^"]+)"/.exec(c.stdout());
        if (m) {
          clearInterval(timer);
          ok(m[1]!);
        }
      }, 20);
      void c.done.then((r) => {
        clearInterval(timer);
        fail(new Error(`exited ${r.code}: ${r.stderr}`));
      });
    });
    const res = await request(`${listening}/api/items/3`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { id: number }).id).toBe(3);
    c.child.kill('SIGTERM');
    expect((await c.done).code).toBe(0);
  });
});

/** Every kind of quote opened in `s` is closed again. */
function balanced(s: string): boolean {
  return ['"', "'", '`'].every((q) => s.split(q).length % 2 === 1);
}

describe('one-line problems', () => {
  it('says an unknown flag with balanced quotes', async () => {
    for (const flag of ['--bogus', '-x', '--upstrem']) {
      const r = await run(NODE, [BIN, flag]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `sidelight: unknown option "${flag}" (try --help; a value that starts with "-" goes after "--")\n`,
      );
      expect(balanced(r.stderr), r.stderr).toBe(true);
    }
  });

  it('ends a YAML syntax error with the offending line, not a dangling colon', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'upstream:\n  endpoints: [{ url: http://127.0.0.1:3000 }]\nlisten: a: b\n');
    const validate = await run(NODE, [BIN, 'validate', file]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(
      new RegExp(`^${file}: \\(root\\): invalid YAML: .+ at line 3, column \\d+: listen: a: b\\n$`),
    );
    const started = await run(NODE, [BIN, '--config', file]);
    expect(started.code).toBe(2);
    expect(started.stderr).toMatch(/^sidelight: invalid config: .* at line 3, column \d+: listen: a: b\n$/);
  });
});
