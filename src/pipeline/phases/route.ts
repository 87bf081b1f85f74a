/**
 * route: normalise the path once (what is matched is what is forwarded), then
 * match method + host + path to a route. The route's template becomes
 * `http.route`; the raw path never reaches a label.
 */
import { normalizePath } from '../../routing/normalize.ts';
import type { RequestContext } from '../context.ts';
import { armTotalTimeout } from '../deadline.ts';
import { ProxyError } from '../errors.ts';
import { CONTINUE, type Outcome, type Phase } from '../outcome.ts';

export const routePhase: Phase = {
  name: 'route',
  run(ctx: RequestContext): Outcome {
    const target = normalizePath(ctx.req.url ?? '');
    if (target === null) return new ProxyError('path_not_normalizable');
    ctx.path = target.path;
    ctx.query = target.query;
    const found = ctx.runtime.router.find(ctx.req.method ?? 'GET', ctx.req.headers.host, target.path);
    if (found.kind === 'not_found') return new ProxyError('no_route');
    if (found.kind === 'method_not_allowed') {
      return new ProxyError('method_not_allowed', { headers: { allow: found.allowed.join(', ') } });
    }
    const route = found.value;
    ctx.route = route;
    ctx.params = found.params;
    if (route.timeouts.total !== ctx.timeouts.total) armTotalTimeout(ctx, route.timeouts.total);
    ctx.timeouts = route.timeouts;
    return CONTINUE;
  },
};
