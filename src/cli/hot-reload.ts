/**
 * Hot reload for the CLI: the config file is watched (directory watch + poll,
 * see config/watch.ts) and SIGHUP forces a reload. Flags and environment are
 * re-applied on every reload, so they keep winning over the file.
 */
import type { ConfigOverrides } from '../config/load.ts';
import { createReloader } from '../config/reload.ts';
import { watchConfigFile } from '../config/watch.ts';
import type { Sidelight } from '../sidelight.ts';

export interface HotReload {
  /** Stops watching; SIGHUP is ignored from then on (shutdown is draining). */
  stop(): void;
}

export function startHotReload(app: Sidelight, file: string, overrides: ConfigOverrides): HotReload {
  const reloader = createReloader({
    file,
    overrides,
    apply(config) {
      app.apply(config);
      // The CLI created the logger from the config, so its level follows it.
      app.log.level = config.telemetry.logLevel;
      return app.store.generation;
    },
    current: () => app.store.current,
    log: app.log,
  });
  const watcher = watchConfigFile(file, {
    onChange: (change) => void reloader.reload(change.state === 'missing' ? 'file deleted' : 'file changed'),
    onError: (err) => app.log.warn({ err, file }, 'config watcher problem; polling continues'),
  });
  let stopped = false;
  // Stays installed after stop(): SIGHUP's default action would kill the
  // process in the middle of a drain.
  process.on('SIGHUP', () => {
    if (stopped) app.log.warn({ signal: 'SIGHUP' }, 'shutting down; reload ignored');
    else void reloader.reload('SIGHUP');
  });
  return {
    stop() {
      stopped = true;
      watcher.close();
    },
  };
}
