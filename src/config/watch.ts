/**
 * Watches one config file for changes, the way it is actually replaced:
 *
 * - written in place (`echo > file`);
 * - by editors and config tools as "write a temp file, rename it over": the
 *   watched inode disappears, so watching the file itself goes deaf after the
 *   first save;
 * - by Kubernetes ConfigMap volumes: `file` is a symlink to `..data/file`, and
 *   `..data` is a symlink atomically re-pointed to a new timestamped directory.
 *   The file's own path never sees an event.
 *
 * So we watch the file's directory, and on an event that names the file, or a
 * symlink on the way to it inside the directory (`..data`), re-`stat` the
 * resolved target: realpath + mtimeMs + size + ino. Only a different signature
 * counts as a change. Events about other files are ignored: a log file written
 * beside the config every 100 ms must not keep postponing the check (issue #9).
 * Events are debounced (a burst of writes becomes one change), but never for
 * longer than `maxWaitMs` after the first event of a burst, so even a file
 * rewritten without pause is checked about once a second. A slow poll catches
 * what fs.watch misses (network filesystems, some container overlays, a
 * watcher that errored, a symlink pointing out of the directory).
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export interface WatchOptions {
  /** Quiet time after the last event before the file is checked. Default 200 ms. */
  debounceMs?: number;
  /** Longest a burst of events may postpone the check, from its first event. Default 1000 ms. */
  maxWaitMs?: number;
  /** Interval of the fallback poll. Default 2000 ms; 0 disables it. */
  pollMs?: number;
  /** Called once per observed change (including deletion and reappearance). */
  onChange(change: FileChange): void;
  /** A watcher problem (not a config problem); the poll keeps working. */
  onError?(err: Error): void;
}

export interface FileChange {
  /** `missing` when the file (or a symlink on the way to it) is gone. */
  readonly state: 'present' | 'missing';
  /** What triggered the check: an fs event or the poll. */
  readonly via: 'event' | 'poll';
}

export interface ConfigWatcher {
  /** Resolves once the starting signature is known; changes before that are not reported. */
  readonly ready: Promise<void>;
  close(): void;
}

const MISSING = 'missing';

/** realpath + mtimeMs + size + ino of what `file` resolves to, or `missing`. */
export async function fileSignature(file: string): Promise<string> {
  try {
    const target = await realpath(file);
    const st = await stat(target);
    return `${target}|${st.mtimeMs}|${st.size}|${st.ino}`;
  } catch {
    return MISSING;
  }
}

/** Symlinks followed at most (the kernel's own limit is 40; ConfigMaps use 2). */
const MAX_LINKS = 8;

/**
 * The names in `file`'s directory whose change can change what `file`
 * resolves to: its own name, and the first segment of every symlink target on
 * the way that stays in the directory (`..data` for a ConfigMap's
 * `file -> ..data/file`). Anything else in the directory is someone else's.
 */
export async function namesOnTheWay(file: string): Promise<Set<string>> {
  const dir = dirname(file);
  const names = new Set([basename(file)]);
  let at = file;
  for (let i = 0; i < MAX_LINKS; i++) {
    let target: string;
    try {
      target = resolve(dirname(at), await readlink(at));
    } catch {
      break; // not a symlink (or gone): the chain ends here
    }
    const rel = relative(dir, target);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) break;
    names.add(rel.split(sep)[0]!);
    at = target;
  }
  return names;
}

export function watchConfigFile(file: string, options: WatchOptions): ConfigWatcher {
  const path = resolve(file);
  const dir = dirname(path);
  const debounceMs = options.debounceMs ?? 200;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const pollMs = options.pollMs ?? 2000;
  let closed = false;
  let last: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the first event of the current burst arrived (while `timer` is set). */
  let burstStart = 0;
  let names = new Set([basename(path)]);
  let checking = false;
  let recheck: 'event' | 'poll' | undefined;
  let fsWatcher: FSWatcher | undefined;
  /** Inode of the directory being watched: a replaced directory needs a new watch. */
  let watchedDir: number | undefined;

  let lastError: string | undefined;
  // The poll retries a failed watch every interval: report each problem once.
  const report = (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    const key = (e as NodeJS.ErrnoException).code ?? e.message;
    if (key === lastError) return;
    lastError = key;
    options.onError?.(e);
  };

  // One check at a time; a request during a check runs one more afterwards.
  const check = async (via: 'event' | 'poll'): Promise<void> => {
    if (closed || last === undefined) return;
    if (checking) {
      recheck = recheck === 'event' ? 'event' : via;
      return;
    }
    checking = true;
    try {
      const sig = await fileSignature(path);
      // A swap may have re-pointed a symlink: listen for the names on the new way.
      names = await namesOnTheWay(path);
      if (!closed && sig !== last) {
        last = sig;
        try {
          options.onChange({ state: sig === MISSING ? 'missing' : 'present', via });
        } catch (err) {
          report(err);
        }
      }
    } finally {
      checking = false;
      const again = recheck;
      recheck = undefined;
      if (again !== undefined) void check(again);
    }
  };

  const onEvent = (event: string, name: string | null) => {
    if (closed) return;
    // inotify reports the watched directory's own deletion or move under its
    // own name; the watch is dead from then on (and a new directory may reuse
    // the inode, so the poll's inode check alone would not notice).
    if (event === 'rename' && name === basename(dir)) rewatch();
    else if (name !== null && !names.has(name)) return;
    const now = performance.now();
    if (timer === undefined) burstStart = now;
    else clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        void check('event');
      },
      Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now)),
    );
    timer.unref();
  };

  function startWatch(): void {
    try {
      watchedDir = statSync(dir).ino;
      const w = watch(dir, { persistent: false }, onEvent);
      w.on('error', (err) => {
        // The directory went away or the watch broke: fall back to the poll,
        // which re-establishes the watch when it can.
        w.close();
        if (fsWatcher === w) fsWatcher = undefined;
        report(err);
      });
      fsWatcher = w;
      lastError = undefined;
    } catch (err) {
      report(err);
    }
  }

  // The directory itself deleted or swapped (a volume remounted): the old
  // watch hears nothing any more.
  const dirReplaced = (): boolean => {
    try {
      return statSync(dir).ino !== watchedDir;
    } catch {
      return true;
    }
  };

  function rewatch(): void {
    fsWatcher?.close();
    fsWatcher = undefined;
    startWatch(); // may fail while the directory is gone; the poll retries
  }

  const poll =
    pollMs > 0
      ? setInterval(() => {
          if (closed) return;
          if (fsWatcher === undefined || dirReplaced()) rewatch();
          // While events are still arriving the debounced check will come; a
          // poll now could catch a file half-way through being written.
          if (timer === undefined) void check('poll');
        }, pollMs)
      : undefined;
  poll?.unref();

  startWatch();
  const ready = Promise.all([fileSignature(path), namesOnTheWay(path)]).then(([sig, way]) => {
    last = sig;
    names = way;
  });

  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      fsWatcher?.close();
      fsWatcher = undefined;
    },
  };
}
