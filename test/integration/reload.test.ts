/**
 * Hot reload end to end on real sockets: an in-process sidecar in front of the
 * demo service, its config file in a temp directory, the watcher and the
 * reloader wired the way the CLI wires them.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { configCounters, createReloader, type Reloader, type ReloadResult } from '../../src/config/reload.ts';
import type { Runtime } from '../../src/config/runtime.ts';
import { type ConfigWatcher, watchConfigFile } from '../../src/config/watch.ts';
import { startDemoServer } from '../../src/demo/server.ts';
import { type Sidelight, startSidelight } from '../../src/sidelight.ts';

let demo: Awaited<ReturnType<typeof startDemoServer>>;
let agent: Agent;

beforeAll(async () => {
  demo = await startDemoServer({ port: 0 });
  agent = new Agent({ connections: 32 });
});

afterAll(async () => {
  await agent.close();
  await demo.close();
});

interface ConfigOptions {
  /** Goes into the `x-config-version` response header of the items route. */
  version: number;
  /** Adds a `/slow` route. */
  slow?: boolean;
  /** Writes the endpoint with userinfo (a secret `/config` must redact). */
  userinfo?: boolean;
}

function configYaml({ version, slow = false, userinfo = false }: ConfigOptions): string {
  const url = userinfo ? demo.url.replace('http://', 'http://reload-user:hunter2@') : demo.url;
  return `# version ${version}
listen: 127.0.0.1:0
admin: { listen: 127.0.0.1:0 }
upstream:
  endpoints: [{ url: "${url}" }]
routes:
  - name: items
    match: { path: /api/items/:id, methods: [GET] }
    headers: { response: { set: { x-config-version: v${version} } } }
${slow ? '  - name: slow\n    match: { path: /slow }\n' : ''}`;
}

interface Harness {
  readonly app: Sidelight;
  readonly file: string;
  readonly reloader: Reloader;
  /** Log records of the reloader (pino JSON). */
  readonly logs: Record<string, unknown>[];
  /** Resolves with the next reload outcome (in order). */
  nextResult(): Promise<ReloadResult>;
  /** Atomic replace: write a temp file, rename it over the config (what editors and tools do). */
  replace(text: string): Promise<void>;
}

let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function start(initial: ConfigOptions, { watch = true } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sidelight-reload-it-'));
  const file = join(dir, 'sidelight.yaml');
  await writeFile(file, configYaml(initial));
  const app = await startSidelight(await loadConfig(file), {
    log: pino({ level: 'silent' }),
    configFile: file,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const results: ReloadResult[] = [];
  const waiting: ((r: ReloadResult) => void)[] = [];
  const reloader = createReloader({
    file,
    apply(config) {
      app.apply(config);
      return app.store.generation;
    },
    current: () => app.store.current,
    log: pino({ level: 'info' }, sink),
    onResult(result) {
      const waiter = waiting.shift();
      if (waiter) waiter(result);
      else results.push(result);
    },
  });
  let watcher: ConfigWatcher | undefined;
  if (watch) {
    watcher = watchConfigFile(file, { onChange: () => void reloader.reload('file changed') });
    await watcher.ready;
  }
  cleanup.push(async () => {
    watcher?.close();
    await app.shutdown(2000);
    await rm(dir, { recursive: true, force: true });
  });
  let seq = 0;
  return {
    app,
    file,
    reloader,
    logs,
    nextResult: () => {
      const ready = results.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload result within 10 s')), 10_000);
        waiting.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    replace: async (text) => {
      const tmp = join(dir, `.sidelight.yaml.${++seq}.tmp`);
      await writeFile(tmp, text);
      await rename(tmp, file);
    },
  };
}

async function get(app: Sidelight, path: string): Promise<{ status: number; version: string; body: string }> {
  const res = await request(`${app.proxyUrl}${path}`, { dispatcher: agent });
  const body = await res.body.text();
  return { status: res.statusCode, version: String(res.headers['x-config-version']), body };
}

async function adminConfig(app: Sidelight): Promise<{
  text: string;
  json: { generation: number; config: unknown; pendingRestart?: Record<string, unknown> };
}> {
  const res = await request(`${app.adminUrl}/config`, { dispatcher: agent });
  const text = await res.body.text();
  return { text, json: JSON.parse(text) };
}

function poolsClosed(rt: Runtime): boolean {
  return rt.upstream.endpoints.every((ep) => [...ep.pools.values()].every((pool) => pool.closed));
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

describe('hot reload', () => {
  it('swaps the config under steady load without failing a single request', async () => {
    const h = await start({ version: 0 });
    const before = { ...configCounters.reloads };
    const REWRITES = 6;
    // Clients keep going for 200 more requests after the last rewrite, so the
    // final generation serves traffic too.
    let stopAt = Number.POSITIVE_INFINITY;
    let sent = 0;

    const versions = new Map<string, number>();
    /** Resolves once `n` responses have come from config version `v` (no clock: counted). */
    const served = (v: number, n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = () => ((versions.get(`v${v}`) ?? 0) >= n ? resolve() : setImmediate(check));
        check();
      });
    // The writer: one atomic replace at a time, each once the current generation has
    // served 100 requests, and each waited for until applied.
    const writer = (async () => {
      for (let v = 1; v <= REWRITES; v++) {
        await served(v - 1, 100);
        await h.replace(configYaml({ version: v, userinfo: v === REWRITES }));
        expect(await h.nextResult()).toBe('applied');
        expect(h.app.store.generation).toBe(1 + v);
      }
      stopAt = sent + 200;
    })();

    // 20 clients; at least 2,000 requests and until after the writer is done (at most 10,000).
    const failures: string[] = [];
    const client = async () => {
      while (sent < 10_000 && (sent < 2000 || sent < stopAt)) {
        const i = sent++;
        try {
          const res = await get(h.app, `/api/items/${(i % 50) + 1}`);
          if (res.status !== 200) failures.push(`${res.status} ${res.body}`);
          versions.set(res.version, (versions.get(res.version) ?? 0) + 1);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    await Promise.all([writer, ...Array.from({ length: 20 }, client)]);

    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2000);
    // Every generation served traffic while it was current.
    expect([...versions.keys()].sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
    expect(h.app.store.generation).toBe(1 + REWRITES);
    expect(configCounters.reloads.applied - before.applied).toBe(REWRITES);
    expect(configCounters.reloads.rejected - before.rejected).toBe(0);
    expect((await get(h.app, '/api/items/1')).version).toBe(`v${REWRITES}`);
    const logged = h.logs.filter(
      (l) => l.msg === `config reloaded: generation ${1 + REWRITES} from ${h.file}`,
    );
    expect(logged).toHaveLength(1);

    // The admin view: the new generation, and the endpoint's credentials redacted.
    const { text, json } = await adminConfig(h.app);
    expect(json.generation).toBe(1 + REWRITES);
    expect(json.config).toMatchObject({
      upstream: { endpoints: [{ url: demo.url.replace('http://', 'http://[redacted]@') }] },
    });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('reload-user');
  });

  it('applies an edit while the sidecar log beside the config is written every 100 ms (#9)', async () => {
    const h = await start({ version: 1 });
    const log = join(dirname(h.file), 'sidelight.log');
    let stopped = false;
    const writer = (async () => {
      for (let n = 1; !stopped; n++) {
        await appendFile(log, `{"msg":"request ${n}"}\n`);
        await sleep(100);
      }
    })();
    try {
      await sleep(300); // the log is busy well before the edit
      writeFileSync(h.file, configYaml({ version: 2 }));
      expect(await h.nextResult()).toBe('applied');
      expect(h.app.store.generation).toBe(2);
      expect((await get(h.app, '/api/items/4')).version).toBe('v2');
      await h.replace(configYaml({ version: 3 }));
      expect(await h.nextResult()).toBe('applied');
      expect(h.app.store.generation).toBe(3);
    } finally {
      stopped = true;
      await writer;
    }
  });

  it('shows a reloaded listen address as pending a restart in /config, not as running (#9)', async () => {
    const h = await start({ version: 1 });
    const moved = configYaml({ version: 2 })
      .replace('listen: 127.0.0.1:0', 'listen: 127.0.0.1:1')
      .replace('admin: { listen: 127.0.0.1:0 }', 'admin: { listen: "[::1]:9" }');
    await h.replace(moved);
    expect(await h.nextResult()).toBe('applied');
    expect(h.app.store.generation).toBe(2);
    // The rest of the file applied; the listener is where it was.
    expect((await get(h.app, '/api/items/2')).version).toBe('v2');
    const running = { host: '127.0.0.1', port: 0 };
    const { json } = await adminConfig(h.app);
    expect(json.generation).toBe(2);
    expect(json.config).toMatchObject({ listen: running, admin: { listen: running } });
    expect(json).toMatchObject({
      pendingRestart: {
        listen: { running, pending: { host: '127.0.0.1', port: 1 } },
        'admin.listen': { running, pending: { host: '::1', port: 9 } },
      },
    });
    expect(Object.keys(json.pendingRestart ?? {})).toEqual(['listen', 'admin.listen']);
    // Back to the running addresses: nothing pending any more.
    await h.replace(configYaml({ version: 3 }));
    expect(await h.nextResult()).toBe('applied');
    const after = await adminConfig(h.app);
    expect(after.json.generation).toBe(3);
    expect(after.json).not.toHaveProperty('pendingRestart');
  });

  it('keeps the running config when the file is invalid, half written, empty or deleted', async () => {
    const h = await start({ version: 1 });
    const good = configYaml({ version: 1 });
    const cases: [
      name: string,
      act: () => Promise<void> | void,
      logged: { path: string; problem: RegExp },
    ][] = [
      [
        'a bad field',
        () =>
          h.replace(good.replace('listen: 127.0.0.1:0', 'listen: 127.0.0.1:0\ntimeouts: { connect: soon }')),
        { path: 'timeouts.connect', problem: /^expected a duration such as "250ms"/ },
      ],
      [
        'a bad route template',
        () => h.replace(configYaml({ version: 2 }).replace('/api/items/:id', '/api/items/:id/:id')),
        { path: 'routes[0].match.path', problem: /^invalid route template/ },
      ],
      // In place, cut off mid-mapping: what a reader sees while a slow writer is busy.
      [
        'a half-written file',
        () => writeFileSync(h.file, good.slice(0, good.indexOf('methods'))),
        { path: '(root)', problem: /^invalid YAML/ },
      ],
      ['an empty file', () => writeFileSync(h.file, ''), { path: '(root)', problem: /^the file is empty$/ }],
      ['a deleted file', () => unlinkSync(h.file), { path: '(root)', problem: /^cannot read file: ENOENT$/ }],
    ];
    for (const [name, act, logged] of cases) {
      const rejected = configCounters.reloads.rejected;
      await act();
      expect(await h.nextResult(), name).toBe('rejected');
      expect(configCounters.reloads.rejected - rejected, name).toBe(1);
      expect(h.app.store.generation, name).toBe(1);
      const res = await get(h.app, '/api/items/7');
      expect([res.status, res.version], name).toEqual([200, 'v1']);
      const record = h.logs.findLast((l) => l.path === logged.path);
      expect(record, `${name}: logged`).toMatchObject({ level: 50, file: h.file, generation: 1 });
      expect(String(record?.problem), name).toMatch(logged.problem);
      expect(String(record?.msg), name).toContain(`${h.file}: ${logged.path}: `);
    }
    // The same good file back: nothing to swap.
    await h.replace(good);
    expect(await h.nextResult()).toBe('unchanged');
    expect(h.app.store.generation).toBe(1);
    // A good change after all that applies as usual.
    await h.replace(configYaml({ version: 2 }));
    expect(await h.nextResult()).toBe('applied');
    expect(h.app.store.generation).toBe(2);
    expect((await get(h.app, '/api/items/7')).version).toBe('v2');
  });

  it('lets a request started before a swap finish on the old snapshot, then closes its pools', async () => {
    const h = await start({ version: 1, slow: true }, { watch: false });
    const slow = get(h.app, '/slow?ms=1000');
    await until('the slow request is in flight', () => h.app.store.current.inflight === 1);
    const old = h.app.store.current;

    await h.replace(configYaml({ version: 2, slow: false }));
    expect(await h.reloader.reload('test')).toBe('applied');
    expect(h.app.store.generation).toBe(2);
    // The swap happened while the request was still running on the old runtime...
    expect(old.inflight).toBe(1);
    expect(poolsClosed(old)).toBe(false);
    expect(h.app.store.all()).toContain(old);
    // ... the new config no longer has the route ...
    expect((await get(h.app, '/slow?ms=1')).status).toBe(404);
    // ... and the old request still completes.
    const res = await slow;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ waited: 1000 });
    // Once drained, the old runtime is retired and its pools closed; the new one's stay open.
    await until("the old runtime's pools are closed", () => poolsClosed(old));
    expect(h.app.store.all()).not.toContain(old);
    expect(poolsClosed(h.app.store.current)).toBe(false);
    expect((await get(h.app, '/api/items/3')).status).toBe(200);
  });
});
