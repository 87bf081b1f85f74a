/**
 * The config watcher against real files in real temp directories, replaced
 * the ways editors, config tools and Kubernetes replace them.
 */
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConfigWatcher,
  type FileChange,
  fileSignature,
  namesOnTheWay,
  type WatchOptions,
  watchConfigFile,
} from '../../../src/config/watch.ts';

let dir: string;
let watcher: ConfigWatcher | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidelight-watch-'));
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface Recorder {
  readonly changes: FileChange[];
  /** Resolves with the n-th change (1-based) once it has happened; fails after 5 s. */
  nth(n: number): Promise<FileChange>;
  /**
   * Removes `file` and resolves with the changes reported before the resulting
   * `missing` one. Events arrive in order, so once the deletion is reported every
   * change the earlier steps could cause has been: absence without a sleep.
   */
  before(file: string): Promise<FileChange[]>;
}

/** Starts a watcher on `file` and records its changes. Poll off unless asked: changes must come from fs events. */
async function watchFile(file: string, options: Partial<WatchOptions> = {}): Promise<Recorder> {
  const changes: FileChange[] = [];
  const waiters: (() => void)[] = [];
  const errors: Error[] = [];
  watcher = watchConfigFile(file, {
    debounceMs: 50,
    pollMs: 0,
    ...options,
    onChange(change) {
      changes.push(change);
      for (const w of waiters.splice(0)) w();
    },
    onError: (err) => errors.push(err),
  });
  await watcher.ready;
  const rec: Recorder = {
    changes,
    async nth(n) {
      const deadline = Date.now() + 5000;
      while (changes.length < n) {
        if (Date.now() > deadline)
          throw new Error(`expected change #${n}, saw ${changes.length}; errors: ${errors}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(100)]);
      }
      return changes[n - 1]!;
    },
    async before(file) {
      const from = changes.length;
      await unlink(file);
      for (let n = from + 1; ; n++) {
        const change = await rec.nth(n);
        if (change.state === 'missing') return changes.slice(0, n - 1);
      }
    },
  };
  return rec;
}

describe('watchConfigFile', () => {
  it('reports a file written in place', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file);
    await writeFile(file, 'a: 22\n');
    expect(await rec.nth(1)).toEqual({ state: 'present', via: 'event' });
  });

  it('keeps hearing changes after editor-style atomic renames (write temp + rename)', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file);
    for (let i = 1; i <= 3; i++) {
      const tmp = join(dir, `.sidelight.yaml.${i}.tmp`);
      await writeFile(tmp, `a: ${i + 1}\n`);
      await rename(tmp, file);
      expect(await rec.nth(i)).toEqual({ state: 'present', via: 'event' });
    }
    expect(await rec.before(file)).toHaveLength(3);
  });

  it('follows a Kubernetes ConfigMap swap (..data symlink re-pointed to a new directory)', async () => {
    // The kubelet's layout: file -> ..data/file, ..data -> ..<timestamp>/
    await mkdir(join(dir, '..2024_01_01_00_00_00.1'));
    await writeFile(join(dir, '..2024_01_01_00_00_00.1', 'sidelight.yaml'), 'a: 1\n');
    await symlink('..2024_01_01_00_00_00.1', join(dir, '..data'));
    await symlink('..data/sidelight.yaml', join(dir, 'sidelight.yaml'));
    const file = join(dir, 'sidelight.yaml');
    const before = await fileSignature(file);
    const rec = await watchFile(file);

    // The update: new timestamped dir, a temp symlink to it renamed over ..data, old dir removed.
    await mkdir(join(dir, '..2024_01_01_00_01_00.2'));
    await writeFile(join(dir, '..2024_01_01_00_01_00.2', 'sidelight.yaml'), 'a: 2\n');
    await symlink('..2024_01_01_00_01_00.2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..2024_01_01_00_00_00.1'), { recursive: true });

    expect(await rec.nth(1)).toEqual({ state: 'present', via: 'event' });
    expect(await fileSignature(file)).not.toBe(before);
    expect(await fileSignature(file)).toContain('..2024_01_01_00_01_00.2');
    expect(await rec.before(file)).toHaveLength(1);
  });

  it('coalesces a burst of writes into one change', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 0\n');
    const rec = await watchFile(file, { debounceMs: 200 });
    for (let i = 1; i <= 20; i++) await writeFile(file, `a: ${'x'.repeat(i)}\n`);
    await rec.nth(1);
    expect(await rec.before(file)).toHaveLength(1);
  });

  it('reports a deleted file as missing, and its return as present', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file);
    await unlink(file);
    expect(await rec.nth(1)).toEqual({ state: 'missing', via: 'event' });
    await writeFile(file, 'a: 1\n');
    expect(await rec.nth(2)).toEqual({ state: 'present', via: 'event' });
  });

  it('ignores other files in the directory and a rewrite that changes nothing it compares', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file);
    await writeFile(join(dir, 'other.yaml'), 'b: 2\n');
    await mkdir(join(dir, 'sub'));
    expect(await rec.before(file)).toEqual([]);
  });

  /**
   * Writes `file` (a sibling of the config) every 100 ms until the returned
   * stop function is called: what the sidecar's own log file beside its
   * config does (issue #9).
   */
  function busySibling(file: string, everyMs = 100): () => Promise<void> {
    let stopped = false;
    let n = 0;
    const loop = (async () => {
      while (!stopped) {
        await writeFile(file, `line ${++n}\n`, { flag: 'a' });
        await sleep(everyMs);
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  }

  it('reports edits while another file in the directory is written every 100 ms (#9)', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file, { debounceMs: 200 });
    const stop = busySibling(join(dir, 'sidelight.log'));
    try {
      await sleep(250); // the writer is well under way before the edits
      await writeFile(file, 'a: 22\n');
      expect(await rec.nth(1)).toEqual({ state: 'present', via: 'event' });
      const tmp = join(dir, '.sidelight.yaml.tmp');
      await writeFile(tmp, 'a: 333\n');
      await rename(tmp, file);
      expect(await rec.nth(2)).toEqual({ state: 'present', via: 'event' });
    } finally {
      await stop();
    }
  });

  it('follows a ConfigMap swap while another file in the directory is written every 100 ms (#9)', async () => {
    await mkdir(join(dir, '..ts1'));
    await writeFile(join(dir, '..ts1', 'sidelight.yaml'), 'a: 1\n');
    await symlink('..ts1', join(dir, '..data'));
    await symlink('..data/sidelight.yaml', join(dir, 'sidelight.yaml'));
    const file = join(dir, 'sidelight.yaml');
    const rec = await watchFile(file, { debounceMs: 200 });
    const stop = busySibling(join(dir, 'sidelight.log'));
    try {
      await sleep(250);
      for (const ts of ['..ts2', '..ts3']) {
        await mkdir(join(dir, ts));
        await writeFile(join(dir, ts, 'sidelight.yaml'), `a: ${ts}\n`);
        await symlink(ts, join(dir, '..data_tmp'));
        await rename(join(dir, '..data_tmp'), join(dir, '..data'));
        expect(await rec.nth(ts === '..ts2' ? 1 : 2)).toEqual({ state: 'present', via: 'event' });
        expect(await fileSignature(file)).toContain(ts);
      }
    } finally {
      await stop();
    }
  });

  it('checks a file that is rewritten without pause, at most maxWaitMs after the first write (#9)', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 0\n');
    // A debounce far longer than the writer's pauses, so it alone would never end.
    const rec = await watchFile(file, { debounceMs: 3000, maxWaitMs: 300 });
    let stopped = false;
    const writer = (async () => {
      for (let i = 1; !stopped; i++) {
        await writeFile(file, `a: ${'x'.repeat(i)}\n`);
        await sleep(50);
      }
    })();
    try {
      expect(await rec.nth(1)).toEqual({ state: 'present', via: 'event' });
    } finally {
      stopped = true;
      await writer;
    }
  });

  it('names the file and the in-directory symlinks on the way to it', async () => {
    await mkdir(join(dir, '..ts1'));
    await writeFile(join(dir, '..ts1', 'sidelight.yaml'), 'a: 1\n');
    await symlink('..ts1', join(dir, '..data'));
    await symlink('..data/sidelight.yaml', join(dir, 'sidelight.yaml'));
    await symlink('/etc/hostname', join(dir, 'outside.yaml'));
    expect(await namesOnTheWay(join(dir, 'sidelight.yaml'))).toEqual(new Set(['sidelight.yaml', '..data']));
    expect(await namesOnTheWay(join(dir, 'outside.yaml'))).toEqual(new Set(['outside.yaml']));
    expect(await namesOnTheWay(join(dir, 'missing.yaml'))).toEqual(new Set(['missing.yaml']));
  });

  it('falls back to polling when the watched directory itself is replaced', async () => {
    const sub = join(dir, 'conf');
    await mkdir(sub);
    const file = join(sub, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file, { pollMs: 100 });
    await rm(sub, { recursive: true });
    expect((await rec.nth(1)).state).toBe('missing');
    // A new directory, complete with the file, moved into place: no watch can see that.
    const staged = join(dir, 'conf.new');
    await mkdir(staged);
    await writeFile(join(staged, 'sidelight.yaml'), 'a: 2\n');
    await rename(staged, sub);
    expect(await rec.nth(2)).toEqual({ state: 'present', via: 'poll' });
    // The poll that saw it re-established the watch on the new directory first.
    await writeFile(file, 'a: 333\n');
    expect(await rec.nth(3)).toEqual({ state: 'present', via: 'event' });
  });

  it('stops reporting once closed', async () => {
    const file = join(dir, 'sidelight.yaml');
    await writeFile(file, 'a: 1\n');
    const rec = await watchFile(file, { pollMs: 50 });
    const closed = watcher!;
    closed.close();
    // A second watcher with a longer debounce and poll: by the time it reports the
    // write, the closed one's shorter timers would have fired had close() left any.
    const witness = await watchFile(file, { debounceMs: 200, pollMs: 200 });
    await writeFile(file, 'a: 22\n');
    await witness.nth(1);
    expect(rec.changes).toEqual([]);
  });
});
