/**
 * `npm run bench`: Sidelight against a bare Node reference and the installed
 * peer proxies, on one pinned core, in interleaved rounds.
 *
 *   npm run bench                          full run (3 rounds x 10 s per test)
 *   npm run bench -- --quick               smoke: 1 round x 2 s, results to bench/results/quick-<date>.*
 *   npm run bench -- --rounds 5 --duration 15
 *   npm run bench -- --only bare-reference,sidelight-default,router
 *   npm run bench -- --node-flags=--max-semi-space-size=8   (or SIDELIGHT_BENCH_NODE_FLAGS)
 *   npm run bench -- --out-dir /tmp/results
 *   SIDELIGHT_BENCH_UPSTREAM=node npm run bench -- --quick   node:http upstream instead of nginx
 *   npm run bench -- --nice=-10              default -10 in full runs as root, 0 in quick runs (use the = form)
 *
 * Exit status: 0 when everything ran; 1 when a contender failed to start, a
 * load run errored or a microbenchmark threw; 2 on bad arguments. A missed
 * budget never fails the run: budgets are reported.
 *
 * This file is the orchestration: options (run-options.ts), microbenchmarks
 * (microbenchmarks.ts), contender start-up (contenders.ts), the load rounds
 * (rounds.ts) and the report (report.ts) live in their own modules.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIDECAR_ENV } from '../src/cli/sidecar-settings.ts';
import { type ContenderSet, emptyResult, lineup, startContenders } from './contenders.ts';
import { log } from './log.ts';
import { backgroundCpuPct, machineInfo } from './machine.ts';
import { MICROBENCHMARKS, runMicrobenchmarks } from './microbenchmarks.ts';
import { startOtlpSink } from './otlp-sink-start.ts';
import { allContenders } from './peers/index.ts';
import type { Running } from './peers/types.ts';
import {
  installExitHandlers,
  type Pinning,
  removeTempDirs,
  rssMiB,
  setNice,
  stopAll,
  which,
} from './procs.ts';
import {
  type BenchResults,
  type ContenderResult,
  checkBudgets,
  computeRatios,
  renderMarkdown,
  summarizeScenarios,
} from './report.ts';
import { LOAD, type RoundsContext, runRounds, warmUp } from './rounds.ts';
import { type Options, parseOptions } from './run-options.ts';
import { startUpstream, UPSTREAM_PATHS } from './upstream.ts';

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  installExitHandlers();
  if (opts.nice !== 0) {
    setNice(opts.nice);
    try {
      setPriority(opts.nice); // the harness itself (microbenchmarks run in-process)
    } catch (err) {
      log(`cannot set priority ${opts.nice}: ${(err as Error).message}`);
      opts.nice = 0;
      setNice(0);
    }
  }
  const startedAt = new Date();
  const failures: string[] = [];
  const fail = (msg: string) => {
    failures.push(msg);
    log(`FAILED: ${msg.split('\n')[0]}`);
  };

  if (!which('wrk')) {
    process.stderr.write('wrk is required (apt-get install wrk)\n');
    return 1;
  }
  const machine = machineInfo();
  const backgroundBefore = await backgroundCpuPct();
  const pinning: Pinning | null =
    which('taskset') && machine.cores >= 2 ? { proxyCore: 0, loadCore: 1 } : null;
  const proxyCore = pinning?.proxyCore;
  const loadCore = pinning?.loadCore;

  // Contender selection.
  let sinkUrl: string | undefined;
  const candidates = allContenders({ otlpEndpoint: () => sinkUrl, nodeFlags: opts.nodeFlags });
  const known = [...candidates.map((c) => c.name), ...MICROBENCHMARKS.map((m) => m.name)];
  const unknown = (opts.only ?? []).filter((n) => !known.includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown name(s) in --only: ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
    return 2;
  }
  const selected = opts.only ? candidates.filter((c) => opts.only!.includes(c.name)) : candidates;

  // Microbenchmarks first, while nothing else runs.
  const microbenchmarks = await runMicrobenchmarks(opts);
  for (const m of microbenchmarks) if (m.status === 'failed') fail(`microbenchmark ${m.name}: ${m.error}`);

  const direct = emptyResult('direct', 'direct');
  const results: ContenderResult[] = selected.map((c) => emptyResult(c.name, c.kind));
  const running = new Map<string, Running>();
  let upstreamInfo: { kind: 'nginx' | 'node'; note: string } = { kind: 'nginx', note: 'not started' };
  let otlpSink: BenchResults['otlpSink'] = null;

  try {
    const upstream = await startUpstream(loadCore);
    upstreamInfo = { kind: upstream.kind, note: upstream.note };
    log(`upstream ${upstream.kind} at ${upstream.url} (pid ${upstream.pid})`);
    direct.pid = upstream.pid;

    if (selected.some((c) => c.kind === 'sidelight')) {
      sinkUrl = await startOtlpSink(loadCore);
      log(`OTLP sink at ${sinkUrl}`);
    }

    const set: ContenderSet = { selected, results, running, fail };
    await startContenders(set, upstream.url, proxyCore);

    // Idle RSS, 2 s after start; after-load RSS once the last round is done.
    await sleep(2_000);
    for (const r of results) if (r.pid && running.has(r.name)) r.rssMiB.idle = rssMiB(r.pid);
    direct.rssMiB.idle = rssMiB(upstream.pid);

    const ctx: RoundsContext = { opts, loadCore, lineup: lineup(set, direct, upstream), fail };
    await warmUp(ctx);
    await runRounds(ctx);

    for (const t of ctx.lineup.targets()) t.r.rssMiB.afterLoad = rssMiB(t.pid);

    if (sinkUrl) {
      try {
        const res = await fetch(`${sinkUrl}/stats`);
        otlpSink = (await res.json()) as BenchResults['otlpSink'];
      } catch (err) {
        log(`could not read OTLP sink stats: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    fail(`benchmark aborted: ${(err as Error)?.stack ?? err}`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
  const backgroundAfter = await backgroundCpuPct();

  for (const r of [direct, ...results]) summarizeScenarios(r);
  const date = startedAt.toISOString().slice(0, 10);
  const report: BenchResults = {
    schemaVersion: 1,
    mode: opts.quick ? 'quick' : 'full',
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    args: process.argv.slice(2),
    machine,
    setup: {
      rounds: opts.rounds,
      durationS: opts.durationS,
      pinning,
      upstream: upstreamInfo,
      closedLoop: { tool: 'wrk', path: UPSTREAM_PATHS.small, ...LOAD.closedLoop },
      fixedRate: { tool: 'bench/load/fixed-rate.ts (undici)', path: UPSTREAM_PATHS.small, ...LOAD.fixedRate },
      streaming: { tool: 'wrk', path: UPSTREAM_PATHS.large, ...LOAD.streaming },
      sidelightNodeFlags: opts.nodeFlags,
      sidelightEnv: { ...SIDECAR_ENV },
      nice: opts.nice,
      backgroundCpuPct: { before: backgroundBefore, after: backgroundAfter },
    },
    direct,
    contenders: results,
    ratios: computeRatios(results),
    budgets: checkBudgets(results, microbenchmarks),
    microbenchmarks,
    otlpSink,
    failures,
  };
  const md = renderMarkdown(report);
  mkdirSync(opts.outDir, { recursive: true });
  const base = join(opts.outDir, `${opts.quick ? 'quick-' : ''}${date}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  process.stdout.write(`${md}\n`);
  log(`wrote ${base}.json and ${base}.md`);
  return failures.length ? 1 : 0;
}

process.exitCode = await main();
