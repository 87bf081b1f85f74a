/**
 * The one phase runner. Every phase goes through it: it marks the phase on
 * the context, times it and turns a thrown error into an outcome, so no phase
 * needs its own try/catch. Synchronous phases are not awaited, and one clock
 * reading serves as the end of a phase and the start of the next.
 */
import type { RequestContext } from './context.ts';
import type { PhaseObserver } from './observer.ts';
import { CONTINUE, type Outcome, type Phase } from './outcome.ts';
import { toProxyError } from './rescue.ts';

export async function runPipeline(
  ctx: RequestContext,
  phases: readonly Phase[],
  observer: PhaseObserver | undefined,
): Promise<Outcome> {
  let startedAt = ctx.startedAt;
  for (const phase of phases) {
    let outcome: Outcome;
    try {
      const result = phase.run(ctx);
      outcome = result instanceof Promise ? await result : result;
    } catch (err) {
      outcome = toProxyError(err);
    }
    const endedAt = performance.now();
    observer?.phaseEnd(ctx, phase.name, outcome, startedAt, endedAt);
    if (outcome !== CONTINUE) return outcome;
    startedAt = endedAt;
  }
  return CONTINUE;
}
