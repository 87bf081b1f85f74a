/**
 * Fixed-rate (open-loop) HTTP/1.1 load for added-latency measurements.
 *
 * Why not `h2load --rps`: its per-client timers fire together, so 16 clients
 * at 125 req/s each arrive as bursts of 16 every 8 ms, and the measured latency
 * is mostly burst queueing (~1 ms even against nginx directly). This generator
 * spreads requests evenly on one schedule (one request every 1/rate s, issued
 * from a 1 ms tick, so at most a couple per tick) over a keep-alive undici Pool.
 * The schedule is the load runner's open-model loop (load/runner/arrival-schedule.ts).
 *
 * Latency is measured per request from dispatch to the last body byte, with
 * `process.hrtime`; samples go into an array that is sorted once at the end.
 * Dispatch lag (actual minus scheduled send time) is reported so an
 * overloaded generator is visible rather than silently hiding latency.
 *
 * Run as a child process (pinned to the load core) by `runFixedRate()`, or:
 *   node bench/load/fixed-rate.ts --url http://127.0.0.1:8080/1k --rate 2000 --connections 16 --duration 10
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';
import { constantArrivals, runArrivals } from '../../load/runner/arrival-schedule.ts';
import { runToCompletion } from '../procs.ts';

export interface FixedRateResult {
  /** Measured requests (after warm-up). */
  count: number;
  errors: number;
  non2xx: number;
  achievedRps: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  /** p99 of (actual dispatch - scheduled dispatch): the generator's own lateness. */
  lagP99Us: number;
}

export interface FixedRateOptions {
  url: string;
  rate: number;
  connections: number;
  durationS: number;
  core?: number | undefined;
}

/** Spawn the generator in its own process (pinned) and return its summary. */
export async function runFixedRate(opts: FixedRateOptions): Promise<FixedRateResult> {
  const script = fileURLToPath(import.meta.url);
  const args = [
    script,
    '--url',
    opts.url,
    '--rate',
    String(opts.rate),
    '--connections',
    String(opts.connections),
    '--duration',
    String(opts.durationS),
  ];
  const r = await runToCompletion(process.execPath, args, {
    core: opts.core,
    timeoutMs: (opts.durationS + 30) * 1000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) {
    throw new Error(`fixed-rate generator failed (exit ${r.code}): ${r.stderr.slice(-1000)}`);
  }
  return JSON.parse(line) as FixedRateResult;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Microseconds on the clock runArrivals() schedules on (performance.now()). */
function nowUs(): number {
  return performance.now() * 1000;
}

async function generate(opts: Omit<FixedRateOptions, 'core'>): Promise<FixedRateResult> {
  const url = new URL(opts.url);
  const pool = new Pool(url.origin, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const path = url.pathname + url.search;
  const warmupUs = Math.min(1e6, (opts.durationS * 1e6) / 10);
  const totalUs = warmupUs + opts.durationS * 1e6;
  const latencies: number[] = [];
  const lags: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let inFlight = 0;

  const times = constantArrivals(opts.rate, totalUs / 1e6);

  const fire = (scheduledMs: number, seq: number) => {
    const scheduled = scheduledMs * 1000;
    const sent = nowUs();
    const measured = times[seq]! * 1e6 >= warmupUs;
    if (measured) lags.push(sent - scheduled);
    let status = 0;
    inFlight++;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        inFlight--;
        if (!measured) return;
        latencies.push(nowUs() - sent);
        if (status < 200 || status >= 300) non2xx++;
      },
      onResponseError() {
        inFlight--;
        if (measured) errors++;
      },
    };
    pool.dispatch({ origin: url.origin, path, method: 'GET', headers: { host: url.host } }, handler);
  };

  await runArrivals(times, fire);
  // Let the last requests finish (bounded).
  const drainUntil = Date.now() + 20_000;
  while (inFlight > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
  errors += inFlight; // never completed
  await pool.close();

  const sorted = Float64Array.from(latencies).sort();
  const sortedLag = Float64Array.from(lags).sort();
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    errors,
    non2xx,
    achievedRps: Math.round(sorted.length / opts.durationS),
    p50Us: round(percentile(sorted, 50)),
    p90Us: round(percentile(sorted, 90)),
    p99Us: round(percentile(sorted, 99)),
    p999Us: round(percentile(sorted, 99.9)),
    maxUs: round(sorted[sorted.length - 1] ?? Number.NaN),
    lagP99Us: round(percentile(sortedLag, 99)),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rate: { type: 'string', default: '2000' },
      connections: { type: 'string', default: '16' },
      duration: { type: 'string', default: '10' },
    },
  });
  if (!values.url) throw new Error('--url is required');
  const result = await generate({
    url: values.url,
    rate: Number(values.rate),
    connections: Number(values.connections),
    durationS: Number(values.duration),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
