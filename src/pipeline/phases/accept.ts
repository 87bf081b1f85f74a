/**
 * accept: the request's identity and guards, before anything can fail.
 * Request id (kept when sane, else generated), peer address, the total-time
 * budget, and the watch for a client that goes away (-> 499, upstream aborted).
 * A request framed by a transfer coding the proxy does not implement is
 * answered 501 here, before any of its body can reach the upstream.
 */
import { randomUUID } from 'node:crypto';
import { acceptableRequestId, peerAddressOf } from '../../upstream/headers.ts';
import type { RequestContext } from '../context.ts';
import { abortExchange, armTotalTimeout } from '../deadline.ts';
import { ProxyError } from '../errors.ts';
import { CONTINUE, type Outcome, type Phase } from '../outcome.ts';

/**
 * RFC 9112 §6.1: a server that receives a transfer coding it does not
 * understand answers 501. Node's parser decodes only the final `chunked` and
 * hands the rest (`gzip, chunked`) through undecoded; forwarding that body
 * without its coding would change its meaning. Repeated fields arrive joined
 * (`chunked, chunked`), which applies chunked twice and is refused as well.
 */
function unsupportedTransferCoding(te: string | undefined): boolean {
  return te !== undefined && te.trim().toLowerCase() !== 'chunked';
}

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
    if (unsupportedTransferCoding(ctx.req.headers['transfer-encoding'])) {
      return new ProxyError('unsupported_transfer_coding');
    }
    watchClient(ctx);
    armTotalTimeout(ctx, ctx.timeouts.total);
    return CONTINUE;
  },
};
