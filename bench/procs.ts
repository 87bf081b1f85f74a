/**
 * Process plumbing for the benchmark: spawn (optionally pinned to a core with
 * `taskset`), track every child so it is killed on exit or error, wait for a
 * port to accept connections, read RSS and CPU time from /proc.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Absolute path of `cmd` on PATH (or the usual sbin dirs), or undefined. */
export function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A command's stdout and stderr together (version strings go to either). */
export function commandOutput(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5_000 });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

/** Which core each role runs on; undefined when pinning is unavailable. */
export interface Pinning {
  proxyCore: number;
  loadCore: number;
}

let tasksetPath: string | undefined | null = null;
let niceLevel = 0;

/**
 * Scheduling priority for every process spawned from now on (`nice -n N`).
 * Negative values need root; they keep unrelated work on a shared machine
 * from stealing the measured cores.
 */
export function setNice(n: number): void {
  niceLevel = n;
}

/** Prefix `nice -n N` (if set) and `taskset -c <core>` (if available and core given). */
export function pinnedCommand(core: number | undefined, cmd: string, args: string[]): [string, string[]] {
  if (tasksetPath === null) tasksetPath = which('taskset');
  // nice and taskset both exec the command, so the pid we get is the program's own pid.
  const argv = [cmd, ...args];
  if (core !== undefined && tasksetPath) argv.unshift(tasksetPath, '-c', String(core));
  if (niceLevel !== 0) argv.unshift('nice', '-n', String(niceLevel));
  return [argv[0]!, argv.slice(1)];
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pin to this core with taskset (if available). */
  core?: number | undefined;
}

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** The last few KiB of stdout+stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const tracked = new Set<Child>();
const TAIL_BYTES = 16 * 1024;

/** Spawn a tracked child in its own process group; output is kept as a short tail. */
export function spawnTracked(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Child {
  const [file, argv] = pinnedCommand(opts.core, cmd, args);
  const proc = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail += chunk.toString('utf8');
    if (tail.length > TAIL_BYTES) tail = tail.slice(-TAIL_BYTES);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      running = false;
      tracked.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    proc.on('error', (err) => {
      running = false;
      tracked.delete(child);
      keep(Buffer.from(`spawn error: ${err.message}\n`));
      resolve('spawn-error');
    });
  });
  const child: Child = {
    name,
    pid: proc.pid ?? -1,
    proc,
    output: () => tail,
    exited,
    isRunning: () => running,
    async stop(graceMs = 3_000) {
      if (!running) return;
      signalGroup(child.pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        signalGroup(child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
  tracked.add(child);
  return child;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal); // the whole group (detached: true made the child a group leader)
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stop every tracked child (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.all([...tracked].map((c) => c.stop()));
}

let handlersInstalled = false;

/** Kill all children on process exit and on SIGINT/SIGTERM. Idempotent. */
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const c of tracked) signalGroup(c.pid, 'SIGKILL');
    removeTempDirs();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping children\n`);
      for (const c of tracked) signalGroup(c.pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

/** A port that was free a moment ago (bind 0, read, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    sock.setTimeout(500);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Poll until host:port accepts TCP connections; fail early if `child` exits. */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  child?: Child,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && !child.isRunning()) {
      throw new Error(
        `${child.name} exited before listening on ${host}:${port}\n${child.output().slice(-2000)}`,
      );
    }
    if (await tryConnect(host, port)) return;
    await sleep(50);
  }
  const out = child ? `\n${child.output().slice(-2000)}` : '';
  throw new Error(
    `${child?.name ?? 'process'} did not listen on ${host}:${port} within ${timeoutMs} ms${out}`,
  );
}

/** Resident set size in MiB from /proc/<pid>/status, or undefined. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLK_TCK = 100; // USER_HZ on Linux

/** user+system CPU seconds consumed so far by pid (all threads), or undefined. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" of the comm field: state is field 3; utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLK_TCK : undefined;
  } catch {
    return undefined;
  }
}

/** Run a command to completion (pinned if asked), collecting stdout and stderr. */
export function runToCompletion(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs: number },
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const [file, argv] = pinnedCommand(opts.core, cmd, args);
  return new Promise((resolve) => {
    const proc = spawn(file, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      stderr += `\nkilled after ${opts.timeoutMs} ms`;
      proc.kill('SIGKILL');
    }, opts.timeoutMs);
    // Tracked too, so an interrupted run does not leave a load generator behind.
    const entry: Child = {
      name: cmd,
      pid: proc.pid ?? -1,
      proc,
      output: () => stderr,
      exited: Promise.resolve(0),
      isRunning: () => proc.exitCode === null,
      stop: async () => {
        proc.kill('SIGKILL');
      },
    };
    tracked.add(entry);
    const finish = (code: number | string) => {
      clearTimeout(timer);
      tracked.delete(entry);
      resolve({ code, stdout, stderr });
    };
    proc.on('error', (err) => finish(`spawn error: ${err.message}`));
    proc.on('close', (code, signal) => finish(code ?? signal ?? 'unknown'));
  });
}

const tempDirs = new Set<string>();

/** A fresh temp dir, removed by `removeTempDirs()` (and on exit). */
export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sidelight-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}
