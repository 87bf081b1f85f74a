/**
 * Drives one scenario's iterations over undici keep-alive pools and records
 * every request: intended start, latency from that intended start, status,
 * bytes. Arrival-rate executors start iterations from the open-model loop in
 * arrival-schedule.ts; `constant-vus` (S07: "20 concurrent") runs that many
 * back-to-back loops, which is what that scenario measures.
 */
import { Pool } from 'undici';
import type { RequestSpec, ScenarioDefinition } from '../scenarios/types.ts';
import { constantArrivals, rampingArrivals, runArrivals } from './arrival-schedule.ts';

export interface RequestSample {
  /** Intended start, seconds since the run began. */
  readonly t: number;
  readonly latencyMs: number;
  /** 0 when no response head arrived. */
  readonly status: number;
  readonly failed: boolean;
  readonly bytes: number;
}

export interface IterationSample {
  readonly t: number;
  readonly latencyMs: number;
}

export interface DriveResult {
  readonly requests: RequestSample[];
  readonly iterations: IterationSample[];
  readonly durationSeconds: number;
  readonly maxLagMs: number;
  /** Distinct `x-config-gen` response header values (S11's rewriter marks each generation with one). */
  readonly generationsSeen: string[];
}

export interface DriveOptions {
  readonly def: ScenarioDefinition;
  readonly target: string;
  /** Multiplies rates and VUs. */
  readonly scale: number;
  readonly durationSeconds: number;
  /** Called once a second with what finished so far. */
  readonly onInterval?: (elapsedSeconds: number, done: DriveResult) => void;
  readonly signal?: AbortSignal;
}

/** Iteration start offsets for the definition's executor, scaled and cut to `durationSeconds`. */
export function arrivalTimes(def: ScenarioDefinition, scale: number, durationSeconds: number): Float64Array {
  const ex = def.executor;
  if (ex.kind === 'constant-arrival-rate') return constantArrivals(ex.rate * scale, durationSeconds);
  if (ex.kind === 'ramping-arrival-rate') {
    // Stretch or squeeze the stages to the requested duration, keeping their proportions.
    const total = ex.stages.reduce((a, s) => a + s.durationSeconds, 0);
    const k = total > 0 ? durationSeconds / total : 1;
    return rampingArrivals(
      ex.startRate * scale,
      ex.stages.map((s) => ({ durationSeconds: s.durationSeconds * k, target: s.target * scale })),
    );
  }
  return new Float64Array(0);
}

/** How many keep-alive connections to allow: the scaled VU ceiling (k6 would open one per VU). */
export function connectionsFor(def: ScenarioDefinition, scale: number): number {
  const ex = def.executor;
  const vus = ex.kind === 'constant-vus' ? ex.vus : ex.maxVUs;
  return Math.max(4, Math.ceil(vus * scale));
}

function fill(template: string, id: number): string {
  return template.replaceAll('{id}', String(id)).replaceAll('{code}', `C${id}`);
}

function prepared(spec: RequestSpec): { bytes: Buffer | undefined } {
  return { bytes: spec.body?.kind === 'bytes' ? Buffer.alloc(spec.body.bytes, 0x61) : undefined };
}

export async function drive(opts: DriveOptions): Promise<DriveResult> {
  const { def, target } = opts;
  const origin = new URL(target).origin;
  const pool = new Pool(origin, {
    connections: connectionsFor(def, opts.scale),
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const specs = def.iteration.requests.map((spec) => ({ spec, ...prepared(spec) }));
  const requests: RequestSample[] = [];
  const iterations: IterationSample[] = [];
  const generationsSeen = new Set<string>();
  const runStart = performance.now();
  let inFlight = 0;
  let seq = 0;

  const one = async (
    spec: RequestSpec,
    body: Buffer | undefined,
    id: number,
    intended: number,
    t: number,
  ) => {
    let status = 0;
    let bytes = 0;
    let failed = true;
    try {
      const bodyText = spec.body?.kind === 'text' ? fill(spec.body.text, id) : undefined;
      const res = await pool.request({
        method: spec.method,
        path: fill(spec.path, id),
        headers: spec.headers
          ? Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, fill(v, id)]))
          : {},
        body: body ?? bodyText ?? null,
      });
      status = res.statusCode;
      const gen = res.headers['x-config-gen'];
      if (typeof gen === 'string') generationsSeen.add(gen);
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      const expected = spec.expectedStatuses;
      failed = expected ? !expected.includes(status) : status < 200 || status >= 400;
    } catch {
      failed = true;
    }
    requests.push({
      t,
      latencyMs: performance.now() - intended,
      status,
      failed,
      bytes,
    });
  };

  /** `t`: the intended start in seconds since the run began (exact schedule offset, for per-second series). */
  const iteration = async (intended: number, t: number) => {
    inFlight++;
    const id = (seq++ % def.idRange) + 1;
    if (def.iteration.parallel) await Promise.all(specs.map((s) => one(s.spec, s.bytes, id, intended, t)));
    else {
      // Later requests of a sequential iteration can only start once the previous one ended.
      let at = intended;
      for (const s of specs) {
        await one(s.spec, s.bytes, id, at, t);
        at = performance.now();
      }
    }
    iterations.push({ t, latencyMs: performance.now() - intended });
    inFlight--;
  };

  const snapshot = (): DriveResult => ({
    requests,
    iterations,
    durationSeconds: opts.durationSeconds,
    maxLagMs: 0,
    generationsSeen: [],
  });
  const progress = setInterval(
    () => opts.onInterval?.((performance.now() - runStart) / 1000, snapshot()),
    1000,
  );
  let maxLagMs = 0;
  try {
    const ex = def.executor;
    if (ex.kind === 'constant-vus') {
      const end = runStart + opts.durationSeconds * 1000;
      const vus = Math.max(1, Math.round(ex.vus * opts.scale));
      await Promise.all(
        Array.from({ length: vus }, async () => {
          while (performance.now() < end && !opts.signal?.aborted) {
            const now = performance.now();
            await iteration(now, (now - runStart) / 1000);
          }
        }),
      );
    } else {
      const times = arrivalTimes(def, opts.scale, opts.durationSeconds);
      const pending: Promise<void>[] = [];
      const loop = await runArrivals(
        times,
        (intended, k) => pending.push(iteration(intended, times[k]!)),
        opts.signal,
      );
      maxLagMs = loop.maxLagMs;
      await Promise.all(pending);
    }
  } finally {
    clearInterval(progress);
    await pool.close();
  }
  if (inFlight !== 0) throw new Error(`${inFlight} iterations never finished`);
  return {
    requests,
    iterations,
    durationSeconds: opts.durationSeconds,
    maxLagMs,
    generationsSeen: [...generationsSeen].sort((a, b) => Number(a) - Number(b)),
  };
}
