/**
 * The upstream that must not be the bottleneck: nginx serving static /1k and
 * /1m files (pinned to the load core), or a node:http fallback when nginx is
 * not installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx, writeNginxConf } from './peers/nginx.ts';
import { freePort, makeTempDir, spawnTracked, waitForPort, which } from './procs.ts';

export interface Upstream {
  url: string;
  pid: number;
  kind: 'nginx' | 'node';
  note: string;
  stop(): Promise<void>;
}

export const UPSTREAM_PATHS = { small: '/1k', large: '/1m' } as const;

/** nginx when installed; `SIDELIGHT_BENCH_UPSTREAM=node` forces the node:http fallback. */
export async function startUpstream(core: number | undefined): Promise<Upstream> {
  const port = await freePort();
  if (which('nginx') && process.env.SIDELIGHT_BENCH_UPSTREAM !== 'node') {
    const dir = makeTempDir('upstream');
    const root = join(dir, 'www');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, '1k'), Buffer.alloc(1024, 'x'));
    writeFileSync(join(root, '1m'), Buffer.alloc(1024 * 1024, 'y'));
    const conf = writeNginxConf(
      dir,
      `  sendfile on;
  tcp_nopush on;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${root};
    location / { }
  }`,
    );
    const r = await startNginx('upstream-nginx', dir, conf, port, core);
    return { ...r, kind: 'nginx', note: 'nginx static files, one process' };
  }
  const script = new URL('./upstream-node.ts', import.meta.url).pathname;
  const child = spawnTracked('upstream-node', process.execPath, [script, '--listen', `127.0.0.1:${port}`], {
    core,
  });
  await waitForPort('127.0.0.1', port, 10_000, child);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    kind: 'node',
    note: `${which('nginx') ? 'forced by SIDELIGHT_BENCH_UPSTREAM=node' : 'nginx not installed'}: node:http fallback upstream (may be the bottleneck for fast peers)`,
    stop: () => child.stop(),
  };
}
