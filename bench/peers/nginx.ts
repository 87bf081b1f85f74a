/** nginx as a reverse proxy (single process, upstream keep-alive), and its config writer. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, spawnTracked, waitForPort, which } from '../procs.ts';
import type { Contender, Running, StartOptions } from './types.ts';

/**
 * Write a self-contained nginx.conf into `dir`: foreground, one process, all
 * pid/log/temp paths inside `dir` so it runs as root without touching /var.
 */
export function writeNginxConf(dir: string, httpBody: string): string {
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(dir, t), { recursive: true });
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  tcp_nodelay on;
  default_type application/octet-stream;
${httpBody}
}
`;
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  return file;
}

/** Start nginx on a written config; resolves when the port accepts connections. */
export async function startNginx(
  name: string,
  dir: string,
  conf: string,
  port: number,
  core?: number,
): Promise<Running> {
  const bin = which('nginx');
  if (!bin) throw new Error('nginx not installed');
  const child = spawnTracked(name, bin, ['-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', conf], { core });
  await waitForPort('127.0.0.1', port, 10_000, child);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.stop(), output: child.output };
}

export const nginxPeer: Contender = {
  name: 'nginx',
  kind: 'peer',
  unavailable: () => (which('nginx') ? undefined : 'nginx not installed'),
  async start({ upstream, port, core }: StartOptions) {
    const dir = makeTempDir('nginx-proxy');
    const up = new URL(upstream);
    const conf = writeNginxConf(
      dir,
      `  upstream app {
    server ${up.hostname}:${up.port};
    keepalive 64;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Stream through memory buffers; never spool large bodies to disk.
      proxy_buffers 16 16k;
      proxy_busy_buffers_size 32k;
      proxy_max_temp_file_size 0;
    }
  }`,
    );
    return startNginx('nginx', dir, conf, port, core);
  },
};
