/**
 * What a phase returns: carry on, or stop with a local reply. A local reply is
 * a catalogued ProxyError, so every reply the proxy makes itself has a reason.
 */
import type { PhaseName, RequestContext } from './context.ts';
import type { ProxyError } from './errors.ts';

export const CONTINUE = 'continue' as const;
export type Outcome = typeof CONTINUE | ProxyError;

export interface Phase {
  readonly name: PhaseName;
  run(ctx: RequestContext): Outcome | Promise<Outcome>;
}
