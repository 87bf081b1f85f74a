/**
 * The one phase runner. Every phase goes through `runPhase`: it marks the
 * phase on the context, times it and turns a thrown error into an outcome, so
 * no phase needs its own try/catch. Synchronous phases are not awaited.
 */
import type { RequestContext } from './context.ts';
import { CONTINUE, type Outcome, type Phase } from './outcome.ts';
import { toProxyError } from './rescue.ts';

/** Observes phase timings; the telemetry layer implements it. */
export interface PhaseObserver {
  phaseStart(ctx: RequestContext, phase: Phase): void;
  phaseEnd(ctx: RequestContext, phase: Phase, outcome: Outcome, startedAt: number): void;
}

export async function runPipeline(
  ctx: RequestContext,
  phases: readonly Phase[],
  observer: PhaseObserver | undefined,
): Promise<Outcome> {
  for (const phase of phases) {
    ctx.phase = phase.name;
    const startedAt = performance.now();
    observer?.phaseStart(ctx, phase);
    let outcome: Outcome;
    try {
      const result = phase.run(ctx);
      outcome = result instanceof Promise ? await result : result;
    } catch (err) {
      outcome = toProxyError(err);
    }
    observer?.phaseEnd(ctx, phase, outcome, startedAt);
    if (outcome !== CONTINUE) return outcome;
  }
  return CONTINUE;
}
