/**
 * What the pipeline reports to, declared where the pipeline lives so that
 * dependencies run one way (issue #10): telemetry implements this interface,
 * and no pipeline or upstream module imports a telemetry type. The pipeline
 * reports facts (phase boundaries, attempt timing points, outcomes); what they
 * cost is decided by the implementation, at config time and by the sampling
 * decision.
 */
import type { Runtime } from '../config/runtime.ts';
import type { Endpoint } from '../upstream/cluster.ts';
import type { PhaseName, RequestContext } from './context.ts';
import type { ProxyError } from './errors.ts';
import type { Outcome } from './outcome.ts';

/** Timing points of an upstream attempt, reported as they happen. */
export type AttemptPoint = 'pool_acquired' | 'first_byte';

export interface PhaseObserver {
  /**
   * A phase ended. `startedAt` is the previous phase's `endedAt` (one clock
   * reading ends one phase and starts the next), so phases tile the request.
   */
  phaseEnd(ctx: RequestContext, phase: PhaseName, outcome: Outcome, startedAt: number, endedAt: number): void;
}

export interface RequestObserver extends PhaseObserver {
  /** Resolves what the hot path needs for this runtime (histogram series per route) before it serves. */
  provision(runtime: Runtime): void;
  /** A runtime stopped serving; `current` is the one that replaced it (series of dropped routes go). */
  retire(runtime: Runtime, current: Runtime): void;
  requestStart(ctx: RequestContext): void;
  /** An upstream attempt begins; returns the trace-context headers to send with it (flat name/value list). */
  attemptStart(ctx: RequestContext, endpoint: Endpoint, path: string): string[];
  /** A timing point of the current attempt; `at` is a performance.now() reading. */
  attemptPoint(ctx: RequestContext, point: AttemptPoint, at: number): void;
  /** The new connection of the current attempt: when its connect started and ended. */
  attemptConnected(ctx: RequestContext, start: number, end: number): void;
  /** The attempt ended: `status` 0 when no response head arrived; `error` when it failed. */
  attemptEnd(ctx: RequestContext, status: number, error: ProxyError | undefined): void;
  /** The response header that names this request's trace (W3C `traceresponse`), or undefined. */
  traceResponse(ctx: RequestContext): readonly [name: string, value: string] | undefined;
  requestEnd(ctx: RequestContext): void;
}
