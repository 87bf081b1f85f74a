/**
 * Sidelight as a real child process (`node src/main.ts ...`), for tests about
 * what leaves the process: its stdout, stderr and exit. The environment is
 * the test's minus every SIDELIGHT_* and OTEL_* variable, plus `env`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MAIN = join(ROOT, 'src/main.ts');

export interface ChildSidelight {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The JSON records on stdout so far. */
  records(): Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  /** Resolves once stdout has a record for which `find` returns something; rejects if the process exits first. */
  waitForRecord<T>(find: (r: Record<string, unknown>) => T | undefined | false): Promise<T>;
  /** The proxy and admin URLs from the `listening on ...` record. */
  listening(): Promise<{ proxy: string; admin: string }>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills what a failed test left running (call from afterEach). */
export function killChildren(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}

function parseLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line still being written
    }
  }
  return out;
}

export function spawnSidelight(args: string[], env: Record<string, string> = {}): ChildSidelight {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SIDELIGHT_|OTEL_)/.test(k)),
  );
  const child = spawn(NODE, [MAIN, ...args], { cwd: ROOT, env: { ...clean, ...env } });
  running.add(child);
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    for (const w of [...watchers]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitForRecord = <T>(find: (r: Record<string, unknown>) => T | undefined | false): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      const check = (): void => {
        for (const r of parseLines(out)) {
          const found = find(r);
          if (found !== undefined && found !== false) {
            watchers.delete(check);
            resolvePromise(found);
            return;
          }
        }
      };
      watchers.add(check);
      check();
      void exited.then(() => reject(new Error(`exited before the record appeared:\n${out}\n${err}`)));
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    records: () => parseLines(out),
    exited,
    waitForRecord,
    listening: () =>
      waitForRecord((r) =>
        typeof r.proxy === 'string' && typeof r.admin === 'string'
          ? { proxy: r.proxy, admin: r.admin }
          : undefined,
      ),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
