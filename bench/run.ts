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
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runFixedRate } from './load/fixed-rate.ts';
import { runWrk, type WrkResult, wrkErrorCount } from './load/wrk.ts';
import { backgroundCpuPct, machineInfo } from './machine.ts';
import { allContenders } from './peers/index.ts';
import type { Contender, Running } from './peers/types.ts';
import {
  cpuSeconds,
  freePort,
  installExitHandlers,
  type Pinning,
  removeTempDirs,
  rssMiB,
  setNice,
  spawnTracked,
  stopAll,
  waitForPort,
  which,
} from './procs.ts';
import {
  type BenchResults,
  type ContenderResult,
  checkBudgets,
  computeRatios,
  type MicroResult,
  renderMarkdown,
  summarizeScenarios,
} from './report.ts';
import { startUpstream, UPSTREAM_PATHS } from './upstream.ts';

/**
 * Microbenchmarks: each module exports an async function taking
 * `{ quick?: boolean }` and returning an object of numbers (ns/op, ratios...).
 * A missing file is reported as "missing", not as a failure. Add new ones here.
 */
const MICROBENCHMARKS: { name: string; file: string; exportName: string }[] = [
  { name: 'router', file: './router.bench.ts', exportName: 'runRouterBench' },
  { name: 'phase-runner', file: './phase-runner.bench.ts', exportName: 'runPhaseRunnerBench' },
];

const LOAD = {
  closedLoop: { connections: 50, threads: 1 },
  fixedRate: { rate: 2000, connections: 16 },
  streaming: { connections: 10, threads: 1 },
};

interface Options {
  quick: boolean;
  rounds: number;
  durationS: number;
  only: string[] | undefined;
  nodeFlags: string[];
  outDir: string;
  nice: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      only: { type: 'string' },
      'node-flags': { type: 'string' },
      'out-dir': { type: 'string' },
      nice: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node bench/run.ts [--quick] [--rounds N] [--duration S] [--only a,b] [--node-flags=...] [--out-dir DIR] [--nice N]\n',
    );
    process.exit(0);
  }
  const num = (v: string | undefined, def: number, what: string) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${what} must be a positive number`);
    return n;
  };
  // Default: the V8 settings Sidelight ships with (bin/sidelight.js, npm start), so the
  // bench measures what users run. `--node-flags=` (empty) measures Node's defaults.
  const flags = values['node-flags'] ?? process.env.SIDELIGHT_BENCH_NODE_FLAGS ?? '--max-semi-space-size=8';
  return {
    quick: values.quick,
    rounds: Math.round(num(values.rounds, values.quick ? 1 : 3, 'rounds')),
    durationS: Math.max(1, Math.round(num(values.duration, values.quick ? 2 : 10, 'duration'))),
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    nodeFlags: flags.split(/\s+/).filter(Boolean),
    outDir: values['out-dir'] ?? fileURLToPath(new URL('./results/', import.meta.url)),
    nice: parseNice(values.nice, values.quick),
  };
}

class UsageError extends Error {}

/**
 * Full runs default to nice -10 when root: on a shared 2-core machine other
 * work (editors, type checkers) otherwise lands on the measured cores. Quick
 * runs are smoke tests that often run next to other tests: default 0.
 */
function parseNice(v: string | undefined, quick: boolean): number {
  if (v === undefined) return !quick && process.getuid?.() === 0 ? -10 : 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new UsageError('--nice must be an integer in -20..19');
  return n;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function emptyResult(name: string, kind: ContenderResult['kind']): ContenderResult {
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runMicrobenchmarks(opts: Options): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const mb of MICROBENCHMARKS) {
    if (opts.only && !opts.only.includes(mb.name)) continue;
    const url = new URL(mb.file, import.meta.url);
    if (!existsSync(url)) {
      results.push({ name: mb.name, file: mb.file, status: 'missing' });
      continue;
    }
    log(`microbenchmark ${mb.name}`);
    // Their own progress output goes to stderr: stdout carries only the report.
    const stdoutWrite = process.stdout.write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
      const mod = (await import(url.href)) as Record<string, unknown>;
      const fn = mod[mb.exportName];
      if (typeof fn !== 'function') throw new Error(`${mb.file} does not export ${mb.exportName}()`);
      const result = (await fn({ quick: opts.quick })) as Record<string, unknown>;
      results.push({ name: mb.name, file: mb.file, status: 'ok', result });
    } catch (err) {
      results.push({
        name: mb.name,
        file: mb.file,
        status: 'failed',
        error: String((err as Error)?.stack ?? err),
      });
    } finally {
      process.stdout.write = stdoutWrite;
    }
  }
  return results;
}

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
      const port = await freePort();
      const script = fileURLToPath(new URL('./otlp-sink.ts', import.meta.url));
      const sink = spawnTracked('otlp-sink', process.execPath, [script, '--listen', `127.0.0.1:${port}`], {
        core: loadCore,
      });
      await waitForPort('127.0.0.1', port, 10_000, sink);
      sinkUrl = `http://127.0.0.1:${port}`;
      log(`OTLP sink at ${sinkUrl}`);
    }

    // Start every contender once; they stay up across rounds.
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
        run = await c.start({ upstream: upstream.url, port, core: proxyCore });
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

    await sleep(2_000);
    for (const r of results) if (r.pid && running.has(r.name)) r.rssMiB.idle = rssMiB(r.pid);
    direct.rssMiB.idle = rssMiB(upstream.pid);

    const active = () => selected.filter((c) => running.has(c.name));
    const targets = (): { c: Contender | null; r: ContenderResult; url: string; pid: number }[] => [
      { c: null, r: direct, url: upstream.url, pid: upstream.pid },
      ...active().map((c) => {
        const run = running.get(c.name)!;
        return { c, r: results[selected.indexOf(c)]!, url: run.url, pid: run.pid };
      }),
    ];
    const lost = (t: { c: Contender | null; r: ContenderResult; pid: number }) => {
      if (alive(t.pid)) return false;
      const out = t.c ? running.get(t.c.name)?.output?.() : '';
      t.r.status = 'failed';
      t.r.error = `process ${t.pid} exited during the benchmark`;
      fail(`${t.r.name}: ${t.r.error}\n${out?.slice(-1500) ?? ''}`);
      if (t.c) running.delete(t.c.name);
      return true;
    };
    const pause = () => sleep(opts.quick ? 200 : 1_000);

    // Warm-up: JIT and connection pools, not recorded.
    const warmS = opts.quick ? 2 : 5;
    for (const t of targets().slice(1)) {
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
      lost(t);
    }

    for (let round = 1; round <= opts.rounds; round++) {
      // (a) closed loop, 1 KiB
      for (const t of targets()) {
        await pause();
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
        lost(t);
      }

      // (b) fixed rate, added latency vs direct in the same round
      let directSample: { p50Us: number; p99Us: number; p999Us: number } | undefined;
      for (const t of targets()) {
        await pause();
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
        lost(t);
      }

      // (c) 1 MiB streaming
      for (const t of targets()) {
        await pause();
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
        lost(t);
      }
    }

    for (const t of targets()) t.r.rssMiB.afterLoad = rssMiB(t.pid);

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
      nice: opts.nice,
      backgroundCpuPct: { before: backgroundBefore, after: backgroundAfter },
    },
    direct,
    contenders: results,
    ratios: computeRatios(results),
    budgets: checkBudgets(results),
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

function describeErrors(w: WrkResult): string {
  const e = w.errors;
  return `socket errors connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}; non-2xx ${e.non2xx}`;
}

process.exitCode = await main();
