/**
 * Hot reload: load -> validate -> provision -> swap, or nothing at all.
 *
 * `apply` provisions the new config fully and swaps it in, or throws without
 * having changed anything (sidelight.ts). So a file that is invalid, half
 * written, empty or deleted never replaces a good runtime: every problem is
 * logged with its file and field path, the outcome is counted, and requests
 * keep being served by the config that was running.
 *
 * Reloads never overlap: one runs at a time, and any number of requests that
 * arrive meanwhile (watcher events, SIGHUP) become a single reload after it,
 * which reads the file as it is by then.
 */
import { ConfigError, type ConfigProblem, formatPath, formatProblem } from './errors.ts';
import { type ConfigOverrides, loadConfig } from './load.ts';
import { pendingRestart } from './restart-only.ts';
import type { Config } from './schema.ts';

/**
 * Reload outcomes since the process started. The metrics concern exposes
 * these as `sidelight_config_reloads_total{result="applied"|"rejected"}`.
 */
export const configCounters = { reloads: { applied: 0, rejected: 0 } };

export type ReloadResult = 'applied' | 'rejected' | 'unchanged';

export interface ReloadDetail {
  /** What asked for the reload (`file changed`, `SIGHUP`, ...). */
  readonly reason: string;
  /** The generation serving after this reload. */
  readonly generation: number | undefined;
  /** Why the file was rejected ([] unless rejected). */
  readonly problems: readonly ConfigProblem[];
  /** Changed fields that only take effect after a restart (listen addresses, trace buffer). */
  readonly restartNeeded: readonly string[];
  readonly durationMs: number;
}

/** The subset of a pino logger the reloader uses. */
export interface ReloadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReloaderOptions {
  file: string;
  /** Flags and environment: re-applied on every reload, so they keep winning over the file. */
  overrides?: ConfigOverrides;
  /** Provisions and swaps `config`; throws, changing nothing, if it cannot. May return the new generation. */
  apply(config: Config): unknown;
  /** What is serving now: skips no-op reloads, detects restart-only changes, names the kept generation. */
  current?: () => { readonly config: Config; readonly generation: number };
  log: ReloadLog;
  onResult?(result: ReloadResult, detail: ReloadDetail): void;
}

export interface Reloader {
  /** Reloads (coalescing with a reload that has not started yet); never rejects. */
  reload(reason?: string): Promise<ReloadResult>;
}

function asProblems(err: unknown, file: string): readonly ConfigProblem[] {
  if (err instanceof ConfigError) return err.problems;
  return [{ file, path: [], message: err instanceof Error ? err.message : String(err) }];
}

export function createReloader(options: ReloaderOptions): Reloader {
  const { file, log } = options;
  let tail: Promise<unknown> = Promise.resolve();
  let pending: Promise<ReloadResult> | undefined;

  const finish = (result: ReloadResult, detail: ReloadDetail): ReloadResult => {
    if (result !== 'unchanged') configCounters.reloads[result]++;
    try {
      options.onResult?.(result, detail);
    } catch (err) {
      log.error({ err }, 'config reload listener failed');
    }
    return result;
  };

  const run = async (reason: string): Promise<ReloadResult> => {
    const started = performance.now();
    const before = options.current?.();
    const elapsed = () => Math.round(performance.now() - started);

    const reject = (err: unknown): ReloadResult => {
      const problems = asProblems(err, file);
      const kept = before === undefined ? 'the running config' : `generation ${before.generation}`;
      for (const p of problems) {
        log.error(
          {
            file: p.file,
            path: formatPath(p.path),
            problem: p.message,
            reason,
            generation: before?.generation,
          },
          `config reload rejected, keeping ${kept}: ${formatProblem(p)}`,
        );
      }
      if (!(err instanceof ConfigError))
        log.error({ err, file, reason }, 'config reload failed unexpectedly');
      return finish('rejected', {
        reason,
        generation: before?.generation,
        problems,
        restartNeeded: [],
        durationMs: elapsed(),
      });
    };

    let config: Config;
    try {
      config = await loadConfig(file, options.overrides);
    } catch (err) {
      return reject(err);
    }
    if (before !== undefined && JSON.stringify(before.config) === JSON.stringify(config)) {
      log.info({ file, reason, generation: before.generation }, 'config unchanged');
      return finish('unchanged', {
        reason,
        generation: before.generation,
        problems: [],
        restartNeeded: [],
        durationMs: elapsed(),
      });
    }
    const restartNeeded = before === undefined ? [] : Object.keys(pendingRestart(before.config, config));
    let generation: number | undefined;
    try {
      const applied = options.apply(config);
      generation = typeof applied === 'number' ? applied : options.current?.().generation;
    } catch (err) {
      return reject(err);
    }
    for (const field of restartNeeded) {
      log.warn({ file, field, reason }, `config field ${field} changed; it takes effect after a restart`);
    }
    const durationMs = elapsed();
    log.info(
      { file, reason, generation, duration_ms: durationMs },
      `config reloaded: generation ${generation ?? '?'} from ${file}`,
    );
    return finish('applied', { reason, generation, problems: [], restartNeeded, durationMs });
  };

  return {
    reload(reason = 'requested') {
      if (pending !== undefined) return pending;
      const next = tail.then(() => {
        pending = undefined;
        return run(reason);
      });
      pending = next;
      tail = next.catch(() => {});
      return next;
    },
  };
}
