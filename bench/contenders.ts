/**
 * Contender lifecycle within a run: the empty result record of each
 * contender, starting every selected contender once (with a probe request
 * before any load), and the line-up of processes under load, from which a
 * contender whose process exits mid-run is dropped.
 */
import { log } from './log.ts';
import type { Contender, Running } from './peers/types.ts';
import { freePort } from './procs.ts';
import type { ContenderResult } from './report-types.ts';
import { UPSTREAM_PATHS } from './upstream.ts';

export function emptyResult(name: string, kind: ContenderResult['kind']): ContenderResult {
  return {
    name,
    kind,
    status: 'ok',
    rssMiB: {},
    closedLoop: { samples: [] },
    fixedRate: { samples: [] },
    streaming: { samples: [] },
  };
}

/** What `startContenders` and `lineup` share: `results[i]` belongs to `selected[i]`. */
export interface ContenderSet {
  selected: Contender[];
  results: ContenderResult[];
  /** The contenders that started and have not been lost, by name. */
  running: Map<string, Running>;
  fail: (msg: string) => void;
}

/**
 * Start every selected contender once (they stay up across rounds) and prove
 * it proxies with one request. An unavailable contender is marked skipped, one
 * that does not start or proxy is marked failed (and reported).
 */
export async function startContenders(
  set: ContenderSet,
  upstreamUrl: string,
  proxyCore: number | undefined,
): Promise<void> {
  const { selected, results, running, fail } = set;
  for (const [i, c] of selected.entries()) {
    const r = results[i]!;
    const why = c.unavailable();
    if (why) {
      r.status = 'skipped';
      r.error = why;
      log(`skip ${c.name}: ${why}`);
      continue;
    }
    let run: Running | undefined;
    try {
      const port = await freePort();
      run = await c.start({ upstream: upstreamUrl, port, core: proxyCore });
      // One request to prove it proxies before any load.
      const res = await fetch(`${run.url}${UPSTREAM_PATHS.small}`);
      const body = await res.arrayBuffer();
      if (res.status !== 200 || body.byteLength !== 1024) {
        throw new Error(
          `probe GET ${UPSTREAM_PATHS.small} returned ${res.status} with ${body.byteLength} bytes`,
        );
      }
      running.set(c.name, run);
      r.pid = run.pid;
      log(`started ${c.name} at ${run.url} (pid ${run.pid})`);
    } catch (err) {
      r.status = 'failed';
      r.error = String((err as Error)?.message ?? err);
      const out = run?.output?.().slice(-1500);
      if (out && !r.error.includes(out)) r.error += `\n${out}`;
      fail(`${c.name} failed to start: ${r.error}`);
      await run?.stop();
    }
  }
}

/** One process under load: a running contender, or the upstream itself (`c` null: direct). */
export interface Target {
  c: Contender | null;
  r: ContenderResult;
  url: string;
  pid: number;
}

export interface Lineup {
  /** Direct-to-upstream first, then every contender still running, in selection order. */
  targets(): Target[];
  /**
   * True when the target's process has exited: its result is marked failed,
   * the failure reported and the contender dropped from later targets().
   */
  lost(t: Target): boolean;
}

export function lineup(
  set: ContenderSet,
  direct: ContenderResult,
  upstream: { url: string; pid: number },
): Lineup {
  const { selected, results, running, fail } = set;
  const active = () => selected.filter((c) => running.has(c.name));
  return {
    targets: () => [
      { c: null, r: direct, url: upstream.url, pid: upstream.pid },
      ...active().map((c) => {
        const run = running.get(c.name)!;
        return { c, r: results[selected.indexOf(c)]!, url: run.url, pid: run.pid };
      }),
    ],
    lost: (t) => {
      if (alive(t.pid)) return false;
      const out = t.c ? running.get(t.c.name)?.output?.() : '';
      t.r.status = 'failed';
      t.r.error = `process ${t.pid} exited during the benchmark`;
      fail(`${t.r.name}: ${t.r.error}\n${out?.slice(-1500) ?? ''}`);
      if (t.c) running.delete(t.c.name);
      return true;
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
