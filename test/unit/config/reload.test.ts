/**
 * The reloader's decisions, with a recording `apply` (the real swap under
 * load is test/integration/reload.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.ts';
import { loadConfig } from '../../../src/config/load.ts';
import {
  configCounters,
  createReloader,
  type ReloadDetail,
  type ReloaderOptions,
  type ReloadResult,
} from '../../../src/config/reload.ts';
import type { Config } from '../../../src/config/schema.ts';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidelight-reload-'));
  file = join(dir, 'sidelight.yaml');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = 'listen: 127.0.0.1:8080\nupstream: { endpoints: [{ url: http://127.0.0.1:3000 }] }\n';

interface Harness {
  readonly applied: Config[];
  readonly logs: { level: string; obj: Record<string, unknown>; msg: string }[];
  readonly results: [ReloadResult, ReloadDetail][];
  readonly options: ReloaderOptions;
  generation: number;
}

async function harness(extra: Partial<ReloaderOptions> = {}): Promise<Harness> {
  await writeFile(file, BASE);
  let current = { config: await loadConfig(file), generation: 1 };
  const h: Harness = {
    applied: [],
    logs: [],
    results: [],
    generation: 1,
    options: {
      file,
      apply(config) {
        h.applied.push(config);
        current = { config, generation: current.generation + 1 };
        h.generation = current.generation;
        return current.generation;
      },
      current: () => current,
      log: {
        info: (obj, msg) => h.logs.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
        warn: (obj, msg) => h.logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
        error: (obj, msg) => h.logs.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
      },
      onResult: (result, detail) => h.results.push([result, detail]),
      ...extra,
    },
  };
  return h;
}

let before: { applied: number; rejected: number };
beforeEach(() => {
  before = { ...configCounters.reloads };
});
const counted = () => ({
  applied: configCounters.reloads.applied - before.applied,
  rejected: configCounters.reloads.rejected - before.rejected,
});

describe('createReloader', () => {
  it('applies a changed file, logs the new generation and counts it', async () => {
    const h = await harness();
    await writeFile(file, `${BASE}routes: [{ name: a, match: { path: /a } }]\n`);
    expect(await createReloader(h.options).reload('file changed')).toBe('applied');
    expect(h.applied.map((c) => c.routes.map((r) => r.name))).toEqual([['a']]);
    expect(h.results[0]?.[1]).toMatchObject({ reason: 'file changed', generation: 2, problems: [] });
    expect(h.logs).toContainEqual(
      expect.objectContaining({ level: 'info', msg: `config reloaded: generation 2 from ${file}` }),
    );
    expect(counted()).toEqual({ applied: 1, rejected: 0 });
  });

  it('keeps the running config on an invalid file and logs every problem with file and field path', async () => {
    const h = await harness();
    await writeFile(
      file,
      `${BASE}timeouts: { connect: soon }\nroutes: [{ name: a, match: { path: '/a/:' } }]\n`,
    );
    expect(await createReloader(h.options).reload()).toBe('rejected');
    expect(h.applied).toEqual([]);
    const errors = h.logs.filter((l) => l.level === 'error');
    expect(errors.map((l) => [l.obj.file, l.obj.path, l.obj.generation])).toEqual([
      [file, 'timeouts.connect', 1],
      [file, 'routes[0].match.path', 1],
    ]);
    expect(errors[0]?.msg).toBe(
      `config reload rejected, keeping generation 1: ${file}: timeouts.connect: expected a duration such as "250ms", "5s" or "2m" (or a number of milliseconds), not "soon"`,
    );
    expect(h.results[0]?.[1].problems).toHaveLength(2);
    expect(counted()).toEqual({ applied: 0, rejected: 1 });
  });

  it('rejects when apply throws (provisioning failed), and nothing is counted as applied', async () => {
    const h = await harness({
      apply() {
        throw new ConfigError([{ file, path: ['routes', 0, 'match', 'path'], message: 'provision says no' }]);
      },
    });
    await writeFile(file, `${BASE}routes: [{ name: a, match: { path: /a } }]\n`);
    expect(await createReloader(h.options).reload()).toBe('rejected');
    expect(h.logs.find((l) => l.level === 'error')?.obj).toMatchObject({ path: 'routes[0].match.path' });
    expect(counted()).toEqual({ applied: 0, rejected: 1 });
  });

  it('treats a file that validates to the running config as unchanged (no swap, not counted)', async () => {
    const h = await harness();
    await writeFile(file, `# touched\n${BASE}timeouts: { connect: 5s }\n`);
    expect(await createReloader(h.options).reload('SIGHUP')).toBe('unchanged');
    expect(h.applied).toEqual([]);
    expect(counted()).toEqual({ applied: 0, rejected: 0 });
  });

  it('applies a listen change to the rest but warns that the address needs a restart', async () => {
    const h = await harness();
    await writeFile(file, BASE.replace('8080', '8081'));
    expect(await createReloader(h.options).reload()).toBe('applied');
    expect(h.results[0]?.[1].restartNeeded).toEqual(['listen']);
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'config field listen changed; it takes effect after a restart',
      }),
    );
  });

  it('re-applies flag overrides on every reload, so they keep winning over the file', async () => {
    const h = await harness();
    await writeFile(file, `${BASE}routes: [{ name: a, match: { path: /a } }]\n`);
    const reloader = createReloader({ ...h.options, overrides: { upstream: 'http://127.0.0.1:4000' } });
    expect(await reloader.reload()).toBe('applied');
    expect(h.applied[0]?.upstream.endpoints).toEqual([{ url: 'http://127.0.0.1:4000', weight: 1 }]);
  });

  it('coalesces requests that arrive before a reload has started into that reload', async () => {
    const h = await harness();
    await writeFile(file, `${BASE}routes: [{ name: a, match: { path: /a } }]\n`);
    const reloader = createReloader(h.options);
    const results = await Promise.all([reloader.reload('a'), reloader.reload('b'), reloader.reload('c')]);
    expect(results).toEqual(['applied', 'applied', 'applied']);
    expect(h.applied).toHaveLength(1);
    expect(h.results).toHaveLength(1);
  });

  it('runs a request made during a reload afterwards, reading the file as it is then', async () => {
    const h = await harness();
    await writeFile(file, `${BASE}routes: [{ name: a, match: { path: /a } }]\n`);
    let second: Promise<ReloadResult> | undefined;
    const reloader = createReloader({
      ...h.options,
      apply(config) {
        if (second === undefined) {
          // Mid-reload: the file changes again and the watcher asks for another reload.
          writeFileSync(file, `${BASE}routes: [{ name: b, match: { path: /b } }]\n`);
          second = reloader.reload('second');
        }
        return h.options.apply(config);
      },
    });
    expect(await reloader.reload('first')).toBe('applied');
    expect(second).toBeDefined();
    expect(await second).toBe('applied');
    expect(h.applied.map((c) => c.routes[0]?.name)).toEqual(['a', 'b']);
    expect(h.results.map(([, d]) => d.reason)).toEqual(['first', 'second']);
  });
});
