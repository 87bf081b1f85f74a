/**
 * upstream: pick an endpoint, hand the request to its pool, wait for the
 * response head. Settles at the first byte, so the phase timing is the
 * upstream's think time plus pool acquire and connect.
 */
import { UpstreamExchange } from '../../upstream/exchange.ts';
import type { RequestContext } from '../context.ts';
import { ProxyError } from '../errors.ts';
import type { Outcome, Phase } from '../outcome.ts';

export const upstreamPhase: Phase = {
  name: 'upstream',
  run(ctx: RequestContext): Outcome | Promise<Outcome> {
    if (ctx.clientGone) return new ProxyError('client_closed');
    const endpoint = ctx.runtime.upstream.pick();
    ctx.endpoint = endpoint.address;
    ctx.attempts++;
    const exchange = new UpstreamExchange(ctx);
    ctx.exchange = exchange;
    return exchange.start(endpoint);
  },
};
