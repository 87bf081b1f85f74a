/**
 * Open-model arrivals: when each iteration is due, and a loop that starts each
 * one on time whether or not earlier ones have finished. Latency is then taken
 * from the intended start, so a slow target cannot hide its queueing by
 * slowing the sender down (coordinated omission; a closed loop such as
 * autocannon's waits for a response before sending the next request).
 *
 * Shared by the local runner (load/runner/) and the benchmark's fixed-rate
 * generator (bench/load/fixed-rate.ts).
 */

/** One linear piece of a rate profile: from the previous rate to `target` per second over `durationSeconds`. */
export interface RateStage {
  readonly durationSeconds: number;
  readonly target: number;
}

/** Intended start offsets (seconds) of `rate` arrivals per second for `durationSeconds`: k / rate. */
export function constantArrivals(rate: number, durationSeconds: number): Float64Array {
  if (!(rate > 0) || !(durationSeconds > 0)) return new Float64Array(0);
  const n = Math.floor(rate * durationSeconds);
  const times = new Float64Array(n);
  for (let k = 0; k < n; k++) times[k] = k / rate;
  return times;
}

/**
 * Intended start offsets for a rate that moves linearly from `startRate`
 * through each stage's target (k6's ramping-arrival-rate). Arrival k is due
 * when the integral of the rate reaches k; within a stage the integral is
 * quadratic in t, solved exactly.
 */
export function rampingArrivals(startRate: number, stages: readonly RateStage[]): Float64Array {
  const out: number[] = [];
  let t0 = 0;
  let r0 = startRate;
  let done = 0; // arrivals due before this stage
  let area = 0; // integral of the rate up to t0
  for (const stage of stages) {
    const d = stage.durationSeconds;
    const r1 = stage.target;
    const slope = d > 0 ? (r1 - r0) / d : 0;
    const stageArea = ((r0 + r1) / 2) * d;
    // Arrival k (0-based) is due when the integral reaches k: solve area + r0*t + slope*t^2/2 = k.
    while (done <= area + stageArea - 1e-9) {
      const need = done - area;
      let t: number;
      if (Math.abs(slope) < 1e-12) t = r0 > 0 ? need / r0 : d;
      else t = (-r0 + Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * need))) / slope;
      out.push(t0 + Math.min(Math.max(t, 0), d));
      done++;
    }
    area += stageArea;
    t0 += d;
    r0 = r1;
  }
  return Float64Array.from(out);
}

export interface ArrivalLoopResult {
  /** Arrivals started. */
  started: number;
  /** Largest (actual - intended) start, ms: the generator's own lateness. */
  maxLagMs: number;
}

/**
 * Calls `start(intendedMs, seq)` for each offset in `times` once it is due
 * (`intendedMs` on the `performance.now()` clock), checking every millisecond
 * and starting every arrival that is due (a late tick starts all that are
 * behind, at once, each with its own intended time). Never waits for an
 * arrival to finish. Resolves when all have been started or `signal` aborts.
 */
export function runArrivals(
  times: Float64Array,
  start: (intendedMs: number, seq: number) => void,
  signal?: AbortSignal,
): Promise<ArrivalLoopResult> {
  const origin = performance.now();
  let seq = 0;
  let maxLagMs = 0;
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(timer);
      resolve({ started: seq, maxLagMs });
    };
    const tick = () => {
      if (signal?.aborted) return finish();
      const now = performance.now();
      while (seq < times.length && origin + times[seq]! * 1000 <= now) {
        const intended = origin + times[seq]! * 1000;
        maxLagMs = Math.max(maxLagMs, now - intended);
        start(intended, seq);
        seq++;
      }
      if (seq >= times.length) finish();
    };
    const timer = setInterval(tick, 1);
    tick();
  });
}
