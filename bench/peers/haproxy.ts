/** HAProxy as a reverse proxy: one thread, HTTP mode, connection reuse to the upstream. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, spawnTracked, waitForPort, which } from '../procs.ts';
import type { Contender } from './types.ts';

export const haproxyPeer: Contender = {
  name: 'haproxy',
  kind: 'peer',
  unavailable: () => (which('haproxy') ? undefined : 'haproxy not installed'),
  async start({ upstream, port, core }) {
    const bin = which('haproxy')!;
    const dir = makeTempDir('haproxy');
    const up = new URL(upstream);
    const conf = join(dir, 'haproxy.cfg');
    writeFileSync(
      conf,
      `global
  nbthread 1
  maxconn 4000

defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 75s

frontend fe
  bind 127.0.0.1:${port}
  default_backend be

backend be
  server app ${up.hostname}:${up.port}
`,
    );
    // -db: stay in the foreground, no daemon, no master process.
    const child = spawnTracked('haproxy', bin, ['-db', '-f', conf], { core, cwd: dir });
    await waitForPort('127.0.0.1', port, 10_000, child);
    return {
      url: `http://127.0.0.1:${port}`,
      pid: child.pid,
      stop: () => child.stop(),
      output: child.output,
    };
  },
};
