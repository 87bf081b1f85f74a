/**
 * accept: the request's identity and guards, before anything can fail.
 * Request id (kept when sane, else generated), peer address, the total-time
 * budget, and the watch for a client that goes away (-> 499, upstream aborted).
 */
import { randomUUID } from 'node:crypto';
import { acceptableRequestId, peerAddressOf } from '../../upstream/headers.ts';
import type { RequestContext } from '../context.ts';
import { abortExchange, armTotalTimeout } from '../deadline.ts';
import { ProxyError } from '../errors.ts';
import { CONTINUE, type Outcome, type Phase } from '../outcome.ts';

function watchClient(ctx: RequestContext): void {
  ctx.res.once('close', () => {
    if (ctx.res.writableFinished) return;
    ctx.clientGone = true;
    abortExchange(ctx, new ProxyError('client_closed'));
  });
}

export const acceptPhase: Phase = {
  name: 'accept',
  run(ctx: RequestContext): Outcome {
    ctx.requestId = acceptableRequestId(ctx.req.headers[ctx.runtime.policy.requestIdHeader]) ?? randomUUID();
    ctx.peerAddress = peerAddressOf(ctx.req);
    watchClient(ctx);
    armTotalTimeout(ctx, ctx.timeouts.total);
    return CONTINUE;
  },
};
