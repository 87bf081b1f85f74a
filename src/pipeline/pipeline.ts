/**
 * The order of the house, written once, top to bottom (DESIGN.md). Each step
 * says why it sits where it does. `handleRequest` is the only entry point a
 * listener calls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuntimeStore } from '../config/store.ts';
import { RequestContext } from './context.ts';
import { disarmTotalTimeout } from './deadline.ts';
import type { RequestObserver } from './observer.ts';
import { CONTINUE, type Phase } from './outcome.ts';
import { acceptPhase } from './phases/accept.ts';
import { respondPhase } from './phases/respond.ts';
import { routePhase } from './phases/route.ts';
import { upstreamPhase } from './phases/upstream.ts';
import { rescue } from './rescue.ts';
import { runPipeline } from './runner.ts';

export const PIPELINE: readonly Phase[] = [
  // accept: request id, client-abort watch and the total budget first, so every
  // later outcome has an id to answer with and a clock to be judged by.
  acceptPhase,
  // route: before auth and limits, whose policies are per route; a 404/405
  // costs nothing upstream. The template found here labels all telemetry.
  routePhase,
  // auth, rate_limit (later issues): after route (per-route policy), before any
  // upstream work, so a denied request never reaches the service.
  // upstream: endpoint pick, pool acquire, connect, send; settles at the
  // response head so its timing is the upstream's, not the client's.
  upstreamPhase,
  // respond: last, it streams the body back with backpressure and ends the exchange.
  respondPhase,
];

export type { RequestObserver } from './observer.ts';

export async function handleRequest(
  store: RuntimeStore,
  observer: RequestObserver | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const runtime = store.acquire();
  const ctx = new RequestContext(req, res, runtime, performance.now(), observer);
  // Draining: answer, but tell the client not to reuse the connection.
  if (store.draining) res.shouldKeepAlive = false;
  observer?.requestStart(ctx);
  try {
    const outcome = await runPipeline(ctx, PIPELINE, observer);
    if (outcome !== CONTINUE) rescue(ctx, outcome);
  } finally {
    disarmTotalTimeout(ctx);
    if (ctx.clientGone) ctx.status = 499;
    observer?.requestEnd(ctx);
    store.release(runtime);
  }
}
