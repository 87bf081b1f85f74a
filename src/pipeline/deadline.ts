/**
 * The total-time budget of a request and the one way to stop an upstream
 * exchange from outside it (timeout, client gone, shutdown).
 */
import type { RequestContext } from './context.ts';
import { ProxyError } from './errors.ts';

/**
 * Stops the upstream exchange with `reason`, wherever it is. Before response
 * headers the upstream phase rejects with it; mid-body the respond phase does.
 * The first reason recorded wins.
 */
export function abortExchange(ctx: RequestContext, reason: ProxyError): void {
  ctx.error ??= reason;
  if (ctx.upstreamController) ctx.upstreamController.abort(reason);
  else ctx.exchange?.abortPending(reason);
}

function onTotalTimeout(ctx: RequestContext): void {
  ctx.totalTimer = undefined;
  abortExchange(ctx, new ProxyError('upstream_timeout', { detail: `(total ${ctx.timeouts.total} ms)` }));
}

/** (Re)arms the total budget, counted from accept. `ms` 0 disables it. */
export function armTotalTimeout(ctx: RequestContext, ms: number): void {
  if (ctx.totalTimer !== undefined) clearTimeout(ctx.totalTimer);
  ctx.totalTimer = undefined;
  if (ms <= 0) return;
  // Whole milliseconds: Node keeps one timer list per duration, and a fractional
  // remainder would build (and tear down) a new list for every request.
  const left = Math.max(1, Math.ceil(ms - (performance.now() - ctx.startedAt)));
  ctx.totalTimer = setTimeout(onTotalTimeout, left, ctx);
}

export function disarmTotalTimeout(ctx: RequestContext): void {
  if (ctx.totalTimer !== undefined) clearTimeout(ctx.totalTimer);
  ctx.totalTimer = undefined;
}
