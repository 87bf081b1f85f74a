/**
 * Microbenchmark of the per-request work Sidelight adds, without sockets:
 * the real accept and route phases and the phase runner, with stand-ins for
 * the upstream and respond phases, measured three ways:
 *   - runner: no telemetry observer;
 *   - unsampled: the telemetry observer with sampling 0 (the common case);
 *   - sampled: sampling 1 with every phase span (made into SDK spans, not exported).
 * Run: `npx node bench/phase-runner.bench.ts` (or via `npm run bench`).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { validateConfig } from '../src/config/load.ts';
import { provision } from '../src/config/provision.ts';
import type { Runtime } from '../src/config/runtime.ts';
import { RequestContext } from '../src/pipeline/context.ts';
import { CONTINUE, type Phase } from '../src/pipeline/outcome.ts';
import { acceptPhase } from '../src/pipeline/phases/accept.ts';
import { routePhase } from '../src/pipeline/phases/route.ts';
import type { RequestObserver } from '../src/pipeline/pipeline.ts';
import { runPipeline } from '../src/pipeline/runner.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../src/telemetry/observer.ts';
import { startTelemetrySdk } from '../src/telemetry/sdk.ts';

const upstreamStandIn: Phase = {
  name: 'upstream',
  run(ctx) {
    // What the real phase asks of telemetry before dispatching.
    ctx.observer?.attemptStart(ctx, ctx.runtime.upstream.endpoints[0]!, ctx.path);
    ctx.status = 200;
    return Promise.resolve(CONTINUE);
  },
};
const respondStandIn: Phase = {
  name: 'respond',
  run(ctx) {
    ctx.bytesOut = 1024;
    ctx.observer?.attemptEnd(ctx, 200, undefined);
    return CONTINUE;
  },
};
const PHASES = [acceptPhase, routePhase, upstreamStandIn, respondStandIn];

function fakeExchange(): { req: IncomingMessage; res: ServerResponse } {
  const req = {
    method: 'GET',
    url: '/api/items/42?x=1',
    httpVersion: '1.1',
    headers: { host: '127.0.0.1:8080', 'user-agent': 'bench', accept: '*/*' },
    rawHeaders: ['Host', '127.0.0.1:8080', 'User-Agent', 'bench', 'Accept', '*/*'],
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  const res = new EventEmitter() as unknown as ServerResponse;
  return { req, res };
}

async function measure(
  runtime: Runtime,
  observer: RequestObserver | undefined,
  iterations: number,
): Promise<number> {
  const run = async () => {
    const { req, res } = fakeExchange();
    const ctx = new RequestContext(req, res, runtime, performance.now(), observer);
    observer?.requestStart(ctx);
    await runPipeline(ctx, PHASES, observer);
    if (ctx.totalTimer) clearTimeout(ctx.totalTimer);
    observer?.requestEnd(ctx);
  };
  for (let i = 0; i < Math.min(iterations, 20_000); i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  return Number(process.hrtime.bigint() - started) / iterations;
}

export async function runPhaseRunnerBench(opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const iterations = opts.quick ? 20_000 : 200_000;
  const rounds = opts.quick ? 1 : 5;
  const raw = (sampling: number) => ({
    listen: '127.0.0.1:0',
    upstream: { endpoints: [{ url: 'http://127.0.0.1:9' }] },
    routes: [
      { name: 'items', match: { path: '/api/items/:id(\\d+)', methods: ['GET'] } },
      { name: 'rest', match: { path: '/*' } },
    ],
    telemetry: { sampling, phaseSpans: true },
  });
  const sdk = startTelemetrySdk({ recentTraces: 100, env: {} });
  const log = pino({ level: 'silent' });
  const results: Record<string, number[]> = { runnerNs: [], unsampledNs: [], sampledNs: [] };
  try {
    const unsampled = provision(validateConfig(raw(0), '<bench>'), 1);
    const sampled = provision(validateConfig(raw(1), '<bench>'), 2);
    const observer = (rt: Runtime) => {
      const o = new TelemetryObserver({
        metrics: createMetrics(),
        log,
        keepWarnings: () => true,
        defaultSampling: () => rt.config.telemetry.sampling,
        // Sampled requests become SDK spans (no processor behind them: made, not exported).
        tracer: trace.getTracer('sidelight-bench'),
        recent: sdk.recent,
      });
      o.provision(rt);
      return o;
    };
    const obsUnsampled = observer(unsampled);
    const obsSampled = observer(sampled);
    for (let r = 0; r < rounds; r++) {
      results.runnerNs!.push(await measure(unsampled, undefined, iterations));
      results.unsampledNs!.push(await measure(unsampled, obsUnsampled, iterations));
      results.sampledNs!.push(await measure(sampled, obsSampled, iterations / 4));
    }
    await unsampled.upstream.destroy();
    await sampled.upstream.destroy();
  } finally {
    await sdk.shutdown();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(median(v))]));
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const r = await runPhaseRunnerBench({ quick });
  console.log('per request (ns): accept + route + runner, no telemetry:', r.runnerNs);
  console.log('  + telemetry, unsampled:', r.unsampledNs);
  console.log('  + telemetry, sampled, all phase spans (no export):', r.sampledNs);
}
