/** Caddy as a reverse proxy: JSON config, admin off, GOMAXPROCS=1. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, spawnTracked, waitForPort, which } from '../procs.ts';
import type { Contender } from './types.ts';

export const caddyPeer: Contender = {
  name: 'caddy',
  kind: 'peer',
  unavailable: () => (which('caddy') ? undefined : 'caddy not installed'),
  async start({ upstream, port, core }) {
    const bin = which('caddy')!;
    const dir = makeTempDir('caddy');
    const up = new URL(upstream);
    const config = {
      admin: { disabled: true },
      logging: { logs: { default: { level: 'ERROR' } } },
      storage: { module: 'file_system', root: join(dir, 'data') },
      apps: {
        http: {
          servers: {
            bench: {
              listen: [`127.0.0.1:${port}`],
              automatic_https: { disable: true },
              routes: [
                {
                  handle: [
                    {
                      handler: 'reverse_proxy',
                      upstreams: [{ dial: `${up.hostname}:${up.port}` }],
                      transport: { protocol: 'http', keep_alive: { max_idle_conns_per_host: 128 } },
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    };
    const file = join(dir, 'caddy.json');
    writeFileSync(file, JSON.stringify(config));
    const child = spawnTracked('caddy', bin, ['run', '--config', file], {
      core,
      cwd: dir,
      env: { ...process.env, GOMAXPROCS: '1', HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
    await waitForPort('127.0.0.1', port, 15_000, child);
    return {
      url: `http://127.0.0.1:${port}`,
      pid: child.pid,
      stop: () => child.stop(),
      output: child.output,
    };
  },
};
