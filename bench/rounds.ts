/**
 * Round scheduling: an unrecorded warm-up, then per round the three load
 * scenarios (closed loop, fixed rate, 1 MiB streaming), each run against
 * every target in turn, so contenders are interleaved (A B C, A B C, ...).
 * Samples, including the proxy's CPU time per request, are appended to each
 * target's result; errors are reported through `fail`, never thrown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lineup } from './contenders.ts';
import { runFixedRate } from './load/fixed-rate.ts';
import { runWrk, type WrkResult, wrkErrorCount } from './load/wrk.ts';
import { log } from './log.ts';
import { cpuSeconds } from './procs.ts';
import type { Options } from './run-options.ts';
import { UPSTREAM_PATHS } from './upstream.ts';

export const LOAD = {
  closedLoop: { connections: 50, threads: 1 },
  fixedRate: { rate: 2000, connections: 16 },
  streaming: { connections: 10, threads: 1 },
};

export interface RoundsContext {
  opts: Options;
  loadCore: number | undefined;
  lineup: Lineup;
  fail: (msg: string) => void;
}

function pause(ctx: RoundsContext): Promise<void> {
  return sleep(ctx.opts.quick ? 200 : 1_000);
}

/** Warm-up: JIT and connection pools of every contender (not direct), not recorded. */
export async function warmUp(ctx: RoundsContext): Promise<void> {
  const { opts, loadCore, lineup, fail } = ctx;
  const warmS = opts.quick ? 2 : 5;
  for (const t of lineup.targets().slice(1)) {
    log(`warm-up ${t.r.name} ${warmS} s`);
    try {
      await runWrk({
        url: `${t.url}${UPSTREAM_PATHS.small}`,
        ...LOAD.closedLoop,
        durationS: warmS,
        core: loadCore,
      });
    } catch (err) {
      fail(`${t.r.name} warm-up: ${(err as Error).message}`);
    }
    lineup.lost(t);
  }
}

export async function runRounds(ctx: RoundsContext): Promise<void> {
  for (let round = 1; round <= ctx.opts.rounds; round++) {
    await closedLoopRound(ctx, round);
    await fixedRateRound(ctx, round);
    await streamingRound(ctx, round);
  }
}

/** (a) closed loop, 1 KiB: req/s, latency percentiles, proxy CPU per request. */
async function closedLoopRound(ctx: RoundsContext, round: number): Promise<void> {
  const { opts, loadCore, lineup, fail } = ctx;
  for (const t of lineup.targets()) {
    await pause(ctx);
    log(`round ${round}/${opts.rounds} closed-loop ${t.r.name}`);
    const cpu0 = cpuSeconds(t.pid);
    try {
      const w = await runWrk({
        url: `${t.url}${UPSTREAM_PATHS.small}`,
        ...LOAD.closedLoop,
        durationS: opts.durationS,
        core: loadCore,
      });
      const cpu1 = cpuSeconds(t.pid);
      const errors = wrkErrorCount(w);
      t.r.closedLoop.samples.push({
        round,
        rps: w.rps,
        p50Ms: w.latencyMs.p50,
        p90Ms: w.latencyMs.p90,
        p99Ms: w.latencyMs.p99,
        cpuUsPerReq:
          cpu0 !== undefined && cpu1 !== undefined && w.requests > 0 && t.c
            ? Math.round(((cpu1 - cpu0) * 1e7) / w.requests) / 10
            : undefined,
        errors,
        ...(errors ? { error: describeErrors(w) } : {}),
      });
      if (errors) fail(`${t.r.name} closed-loop round ${round}: ${describeErrors(w)}`);
    } catch (err) {
      const msg = (err as Error).message;
      t.r.closedLoop.samples.push({ round, rps: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, errors: 1, error: msg });
      fail(`${t.r.name} closed-loop round ${round}: ${msg}`);
    }
    lineup.lost(t);
  }
}

/** (b) fixed rate, added latency vs direct in the same round. */
async function fixedRateRound(ctx: RoundsContext, round: number): Promise<void> {
  const { opts, loadCore, lineup, fail } = ctx;
  let directSample: { p50Us: number; p99Us: number; p999Us: number } | undefined;
  for (const t of lineup.targets()) {
    await pause(ctx);
    log(`round ${round}/${opts.rounds} fixed-rate ${t.r.name}`);
    try {
      const f = await runFixedRate({
        url: `${t.url}${UPSTREAM_PATHS.small}`,
        ...LOAD.fixedRate,
        durationS: opts.durationS,
        core: loadCore,
      });
      const errors = f.errors + f.non2xx;
      if (!t.c) directSample = f;
      t.r.fixedRate.samples.push({
        round,
        ...f,
        errors,
        added:
          t.c && directSample
            ? {
                p50Us: f.p50Us - directSample.p50Us,
                p99Us: f.p99Us - directSample.p99Us,
                p999Us: f.p999Us - directSample.p999Us,
              }
            : undefined,
        ...(errors ? { error: `${f.errors} errors, ${f.non2xx} non-2xx` } : {}),
      });
      if (errors) fail(`${t.r.name} fixed-rate round ${round}: ${f.errors} errors, ${f.non2xx} non-2xx`);
    } catch (err) {
      const msg = (err as Error).message;
      t.r.fixedRate.samples.push({
        round,
        count: 0,
        achievedRps: 0,
        p50Us: 0,
        p90Us: 0,
        p99Us: 0,
        p999Us: 0,
        maxUs: 0,
        lagP99Us: 0,
        errors: 1,
        error: msg,
      });
      fail(`${t.r.name} fixed-rate round ${round}: ${msg}`);
    }
    lineup.lost(t);
  }
}

/** (c) 1 MiB streaming: req/s and MiB/s. */
async function streamingRound(ctx: RoundsContext, round: number): Promise<void> {
  const { opts, loadCore, lineup, fail } = ctx;
  for (const t of lineup.targets()) {
    await pause(ctx);
    log(`round ${round}/${opts.rounds} 1 MiB ${t.r.name}`);
    try {
      const w = await runWrk({
        url: `${t.url}${UPSTREAM_PATHS.large}`,
        ...LOAD.streaming,
        durationS: opts.durationS,
        core: loadCore,
      });
      const errors = wrkErrorCount(w);
      t.r.streaming.samples.push({
        round,
        rps: w.rps,
        mibPerSec: w.bytesPerSec / 1024 / 1024,
        errors,
        ...(errors ? { error: describeErrors(w) } : {}),
      });
      if (errors) fail(`${t.r.name} 1 MiB round ${round}: ${describeErrors(w)}`);
    } catch (err) {
      const msg = (err as Error).message;
      t.r.streaming.samples.push({ round, rps: 0, mibPerSec: 0, errors: 1, error: msg });
      fail(`${t.r.name} 1 MiB round ${round}: ${msg}`);
    }
    lineup.lost(t);
  }
}

function describeErrors(w: WrkResult): string {
  const e = w.errors;
  return `socket errors connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}; non-2xx ${e.non2xx}`;
}
