/**
 * The Dockerfile, without a Docker engine: its structure (Node 24 slim,
 * production dependencies only, sources only, non-root, exec-form entry
 * point, HEALTHCHECK by node on the admin port), and its commands for real:
 * the image's launch line, run here from the repo root as WORKDIR /app would
 * be, starts Sidelight; the HEALTHCHECK command passes against it and fails
 * without it; SIGTERM reaches node and it drains and exits 0.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIDECAR_ENV, SIDECAR_NODE_FLAGS } from '../../../src/cli/sidecar-settings.ts';
import { envOf, execForm, only, parseDockerfile } from '../../helpers/dockerfile.ts';
import { freePort } from '../../helpers/prometheus.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const stages = parseDockerfile(`${ROOT}Dockerfile`);
const final = stages.at(-1)!;
const env = envOf(final);
const entrypoint = execForm(only(final, 'ENTRYPOINT').args);
const cmd = execForm(only(final, 'CMD').args);
const healthcheck = only(final, 'HEALTHCHECK').args;
const healthCmd = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 4));

describe('Dockerfile structure', () => {
  it('builds every stage on Node 24 slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(1);
    for (const s of stages) expect(s.from).toBe('node:24-slim');
  });

  it('installs production dependencies only, from the lockfile, without install scripts', () => {
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args));
    const install = runs.filter((r) => /\bnpm (ci|install)\b/.test(r));
    expect(install).toHaveLength(1);
    expect(install[0]).toMatch(/\bnpm ci\b/);
    expect(install[0]).toContain('--omit=dev');
    expect(install[0]).toContain('--ignore-scripts');
  });

  it('copies into the image only the sources, bin, package.json and the production node_modules', () => {
    const copies = final.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies.sort()).toEqual(
      ['--from=deps /app/node_modules ./node_modules', 'bin ./bin', 'package.json ./', 'src ./src'].sort(),
    );
    expect(final.instructions.some((i) => i.op === 'ADD')).toBe(false);
    // The build context is limited to the same files.
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore).toEqual(['**', '!package.json', '!package-lock.json', '!bin/', '!src/']);
  });

  it('holds everything the sources import: they need no dev dependency', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const files = readdirSync(`${ROOT}src`, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const imported = new Set<string>();
    for (const f of files) {
      const text = readFileSync(`${ROOT}src/${f}`, 'utf8');
      for (const m of text.matchAll(/(?:from |import\(|import )'([^'.][^']*)'/g)) {
        // node: builtins, and the package's own name (cli/resolve-self.ts resolves it to src/index.ts).
        if (m[1]!.startsWith('node:') || m[1] === 'sidelight') continue;
        imported.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(m[1]!)![1]!);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    for (const name of imported) expect(Object.keys(pkg.dependencies), `src imports ${name}`).toContain(name);
  });

  it('runs as the unprivileged node user from before the entry point on', () => {
    const users = final.instructions.filter((i) => i.op === 'USER');
    expect(users.map((u) => u.args)).toEqual(['node']);
    const idx = (op: string) => final.instructions.findIndex((i) => i.op === op);
    expect(idx('USER')).toBeLessThan(idx('ENTRYPOINT'));
    expect(idx('USER')).toBeGreaterThan(idx('COPY'));
  });

  it('starts node directly (exec form) with the sidecar settings', () => {
    expect(entrypoint).toEqual(['node', ...SIDECAR_NODE_FLAGS, 'src/main.ts']);
    for (const [k, v] of Object.entries(SIDECAR_ENV)) expect(env[k], k).toBe(v);
    expect(env.NODE_ENV).toBe('production');
  });

  it('checks health with node itself on the admin port it exposes', () => {
    expect(healthCmd[0]).toBe('node');
    const adminPort = new URL(`http://${env.SIDELIGHT_ADMIN}`).port;
    expect(healthCmd.join(' ')).toContain(`http://127.0.0.1:${adminPort}/healthz`);
    expect(only(final, 'EXPOSE').args.split(/\s+/)).toEqual([
      new URL(`http://${env.SIDELIGHT_LISTEN}`).port,
      adminPort,
    ]);
  });
});

describe("the Dockerfile's commands, run here", () => {
  let child: ChildProcess;
  let adminPort: number;
  let output = '';
  const node = process.execPath;
  const run = promisify(execFile);
  /** The HEALTHCHECK command with the image's admin port replaced by this test's. */
  const probe = () => {
    const [, ...args] = healthCmd.map((a) => a.replace(':9901/', `:${adminPort}/`));
    return run(node, args, { env: { PATH: process.env.PATH } }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
  };

  beforeAll(async () => {
    adminPort = await freePort();
    const listenPort = await freePort();
    const [, ...args] = entrypoint;
    // The image's ENV, with loopback listeners on free ports (tests stay on 127.0.0.1),
    // and its default CMD (the demo) with the demo service on a free port too.
    child = spawn(node, [...args, ...cmd, '--demo-listen', '127.0.0.1:0'], {
      cwd: ROOT,
      env: {
        ...env,
        PATH: process.env.PATH,
        SIDELIGHT_LISTEN: `127.0.0.1:${listenPort}`,
        SIDELIGHT_ADMIN: `127.0.0.1:${adminPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    // Ready once the demo prints its URLs (it does so after both servers listen).
    await new Promise<void>((resolve, reject) => {
      const check = () => (output.includes('Ctrl-C stops both.') ? resolve() : undefined);
      child.stdout!.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
    });
  });

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('the HEALTHCHECK command passes against the running image command', async () => {
    expect(await probe()).toBe(0);
  });

  it('SIGTERM reaches node: it drains and exits 0, and the HEALTHCHECK then fails', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code, output).toBe(0);
    expect(await probe()).toBe(1);
  });
});
