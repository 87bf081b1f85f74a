import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.ts';
import { ConfigError, formatProblem } from '../../../src/config/errors.ts';
import { type ConfigOverrides, loadConfig, readConfigFile } from '../../../src/config/load.ts';
import { provision } from '../../../src/config/provision.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidelight-load-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The problems `loadConfig` reports, formatted as `validate` prints them (without the file). */
async function problems(path: string, overrides: ConfigOverrides = {}): Promise<string[]> {
  try {
    await loadConfig(path, overrides);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => formatProblem(p).slice(p.file.length + 2));
  }
  throw new Error(`${path} loaded without problems`);
}

const YAML = `
listen: 127.0.0.1:0
upstream:
  endpoints:
    - url: http://127.0.0.1:3000
timeouts:
  connect: 250ms
routes:
  - name: items
    match: { path: /api/items/:id, methods: [GET] }
    timeouts: { total: 1.5s }
`;

describe('config sources', () => {
  it('loads YAML, fills every default and turns durations into milliseconds', async () => {
    const config = await loadConfig(await file('a.yaml', YAML));
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.admin.listen).toEqual({ host: '127.0.0.1', port: 9901 });
    expect(config.upstream).toEqual({
      name: 'app',
      endpoints: [{ url: 'http://127.0.0.1:3000', weight: 1 }],
      connections: 128,
      keepAliveTimeout: 4000,
    });
    expect(config.timeouts).toEqual({
      connect: 250,
      responseHeaders: 30_000,
      bodyIdle: 30_000,
      total: 300_000,
    });
    expect(config.routes[0]).toEqual({
      name: 'items',
      match: { path: '/api/items/:id', methods: ['GET'], hosts: [] },
      timeouts: { total: 1500 },
    });
    expect(config.proxy).toEqual({ trustedHops: 0, via: 'sidelight', requestIdHeader: 'x-request-id' });
    expect(config.telemetry.logLevel).toBe('info');
    expect(config.shutdown.drainTimeout).toBe(30_000);
  });

  it('loads JSON with the same result as the equivalent YAML', async () => {
    const fromYaml = await loadConfig(await file('same.yaml', YAML));
    const raw = await readConfigFile(join(dir, 'same.yaml'));
    const fromJson = await loadConfig(await file('same.json', JSON.stringify(raw)));
    expect(fromJson).toEqual(fromYaml);
  });

  it('loads a TypeScript module that imports defineConfig from the package by name', async () => {
    const config = await loadConfig('test/fixtures/config/sidelight.config.ts');
    expect(config.upstream.name).toBe('catalog');
    expect(config.upstream.endpoints).toEqual([{ url: 'http://127.0.0.1:3000', weight: 3 }]);
    expect(config.timeouts.connect).toBe(250);
    expect(config.timeouts.total).toBe(60_000);
    expect(config.routes.map((r) => r.match.path)).toEqual(['/api/items/:id(\\d+)', '/api/*']);
    expect(config.telemetry.sampling).toBe(0.5);
  });

  it('sees an edited TypeScript module on the next load (no stale import cache)', async () => {
    const path = await file(
      'edit.ts',
      'export default { upstream: { name: "one", endpoints: [{ url: "http://127.0.0.1:1" }] } };\n',
    );
    expect((await loadConfig(path)).upstream.name).toBe('one');
    await writeFile(
      path,
      'export default { upstream: { name: "two", endpoints: [{ url: "http://127.0.0.1:1" }] } };\n',
    );
    expect((await loadConfig(path)).upstream.name).toBe('two');
  });

  it('reports files that cannot be a config, naming the file', async () => {
    expect(await problems(await file('empty.yaml', ''))).toEqual(['(root): the file is empty']);
    expect(await problems(await file('blank.json', ' \n\t\n'))).toEqual(['(root): the file is empty']);
    expect(await problems(join(dir, 'missing.yaml'))).toEqual(['(root): cannot read file: ENOENT']);
    expect(await problems(join(dir, 'missing.ts'))).toEqual(['(root): cannot read file: ENOENT']);
    expect(await problems(await file('list.yaml', '- a\n- b\n'))).toEqual([
      '(root): the config must be a mapping (object) at the top level',
    ]);
    expect(await problems(await file('nodefault.ts', 'export const x = 1;\n'))).toEqual([
      '(root): the module has no default export (export default defineConfig({...}))',
    ]);
    const [broken] = await problems(await file('broken.ts', 'export default {;\n'));
    expect(broken).toMatch(/^\(root\): cannot load module: /);
    const [json] = await problems(await file('bad.json', '{"upstream": '));
    expect(json).toMatch(/^\(root\): invalid JSON: /);
  });

  it('rejects YAML cut off half-way through (a half-written file)', async () => {
    const cut = YAML.slice(0, YAML.indexOf('{ path') + 8);
    const found = await problems(await file('cut.yaml', cut));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^\(root\): invalid YAML: .*line \d+/);
  });

  it('keeps every problem with the file name for the error message', async () => {
    const path = await file('two.yaml', 'upstream: { endpoints: [] }\nlisten: nowhere\n');
    const err = await loadConfig(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split('\n')).toEqual([
      `${path}: listen: expected host:port, e.g. "127.0.0.1:8080" or "[::1]:8080", not "nowhere"`,
      `${path}: upstream.endpoints: at least one endpoint is required`,
    ]);
  });
});

describe('precedence: flags > environment > file > defaults', () => {
  const fileText =
    'listen: 127.0.0.1:1111\nadmin: { listen: 127.0.0.1:2222 }\nupstream: { endpoints: [{ url: http://127.0.0.1:3333 }] }\n';
  const env = {
    SIDELIGHT_LISTEN: '127.0.0.1:4444',
    SIDELIGHT_ADMIN: '127.0.0.1:5555',
    SIDELIGHT_UPSTREAM: 'http://127.0.0.1:6666',
  };

  async function effective(argv: string[], environment: NodeJS.ProcessEnv) {
    const cmd = parseCommand(argv, environment);
    if (cmd.kind !== 'run') throw new Error(`unexpected command ${cmd.kind}`);
    const config = await loadConfig(cmd.configFile, cmd.overrides);
    return {
      listen: config.listen.port,
      admin: config.admin.listen.port,
      upstream: config.upstream.endpoints.map((e) => e.url),
    };
  }

  it('flags win over environment and file', async () => {
    const path = await file('p.yaml', fileText);
    const argv = ['--config', path, '--listen', '127.0.0.1:7777', '--admin', '127.0.0.1:8888'];
    expect(await effective([...argv, '--upstream', 'http://127.0.0.1:9999'], env)).toEqual({
      listen: 7777,
      admin: 8888,
      upstream: ['http://127.0.0.1:9999'],
    });
  });

  it('environment wins over the file', async () => {
    const path = await file('p.yaml', fileText);
    expect(await effective([], { ...env, SIDELIGHT_CONFIG: path })).toEqual({
      listen: 4444,
      admin: 5555,
      upstream: ['http://127.0.0.1:6666'],
    });
  });

  it('the file wins over defaults, and defaults fill the rest', async () => {
    expect(await effective(['--config', await file('p.yaml', fileText)], {})).toEqual({
      listen: 1111,
      admin: 2222,
      upstream: ['http://127.0.0.1:3333'],
    });
    const minimal = await file('min.yaml', 'upstream: { endpoints: [{ url: http://127.0.0.1:3333 }] }\n');
    expect(await effective(['--config', minimal], {})).toEqual({
      listen: 8080,
      admin: 9901,
      upstream: ['http://127.0.0.1:3333'],
    });
  });

  it('--config wins over SIDELIGHT_CONFIG', async () => {
    const flagged = await file('flag.yaml', fileText);
    const cmd = parseCommand(['--config', flagged], { SIDELIGHT_CONFIG: join(dir, 'other.yaml') });
    expect(cmd).toMatchObject({ kind: 'run', configFile: flagged });
  });

  it('zero config: flags alone are enough, and no upstream at all is a problem at `upstream`', async () => {
    expect(await effective(['--upstream', 'http://127.0.0.1:3000'], {})).toEqual({
      listen: 8080,
      admin: 9901,
      upstream: ['http://127.0.0.1:3000'],
    });
    const err = await loadConfig(undefined, {}).catch((e: unknown) => e);
    expect((err as ConfigError).problems).toEqual([
      {
        file: '<flags>',
        path: ['upstream'],
        message: 'no upstream: pass --upstream URL (or SIDELIGHT_UPSTREAM) or --config FILE',
      },
    ]);
  });

  it('a flag override is validated like the file (and reported at its field)', async () => {
    const path = await file('p.yaml', fileText);
    expect(await problems(path, { listen: 'localhost' })).toEqual([
      'listen: expected host:port, e.g. "127.0.0.1:8080" or "[::1]:8080", not "localhost"',
    ]);
  });
});

describe('route timeouts', () => {
  it('override the top-level timeouts field by field; unset fields inherit them', async () => {
    const path = await file(
      't.yaml',
      'upstream: { endpoints: [{ url: http://127.0.0.1:1 }] }\ntimeouts: { connect: 1s, total: 1m }\n' +
        'routes:\n  - { name: a, match: { path: /a }, timeouts: { total: 2s } }\n  - { name: b, match: { path: /b } }\n',
    );
    const runtime = provision(await loadConfig(path), 1, path);
    try {
      const timeouts = (p: string) => {
        const m = runtime.router.find('GET', undefined, p);
        if (m.kind !== 'match') throw new Error(`no route for ${p}`);
        return m.value.timeouts;
      };
      expect(timeouts('/a')).toEqual({
        connect: 1000,
        responseHeaders: 30_000,
        bodyIdle: 30_000,
        total: 2000,
      });
      expect(timeouts('/b')).toEqual({
        connect: 1000,
        responseHeaders: 30_000,
        bodyIdle: 30_000,
        total: 60_000,
      });
    } finally {
      await runtime.upstream.destroy();
    }
  });
});
