/**
 * Provision: a validated Config becomes a Runtime. Everything that can be
 * decided once is decided here (Caddy's Provision step), so the hot path only
 * looks things up. Throws ConfigError for what the schema cannot see (route
 * template syntax).
 */
import { type RouteDefinition, Router, RouteSyntaxError } from '../routing/router.ts';
import { UpstreamCluster } from '../upstream/cluster.ts';
import { compileHeaderOps } from '../upstream/headers.ts';
import { ConfigError } from './errors.ts';
import type { RouteRuntime, Runtime } from './runtime.ts';
import type { Config, RouteConfig, Timeouts } from './schema.ts';

/** The route used when the config lists none: everything goes to the upstream. */
export const DEFAULT_ROUTE: RouteConfig = { name: 'default', match: { path: '/*', methods: [], hosts: [] } };

function compileRewrite(rewrite: RouteConfig['rewrite']): RouteRuntime['rewrite'] {
  if (!rewrite) return undefined;
  const { stripPrefix, replacePath } = rewrite;
  if (replacePath !== undefined) {
    // `/v2/:id/*` -> pieces to join; params resolved per request.
    const parts = replacePath.split(/(:[A-Za-z_][A-Za-z0-9_]*|\*)/);
    return (_path, params) => {
      let out = '';
      for (const part of parts) {
        if (part === '*') out += params['*'] ?? '';
        else if (part.startsWith(':')) out += params[part.slice(1)] ?? '';
        else out += part;
      }
      return out.replace(/\/{2,}/g, '/') || '/';
    };
  }
  if (stripPrefix !== undefined) {
    const prefix = stripPrefix.endsWith('/') ? stripPrefix.slice(0, -1) : stripPrefix;
    return (path) => {
      if (path === prefix) return '/';
      if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
      return path;
    };
  }
  return undefined;
}

/** A route's own timeouts win field by field; unset ones inherit the top-level value. */
function mergeTimeouts(base: Timeouts, own: RouteConfig['timeouts']): Timeouts {
  const merged = { ...base };
  for (const key of Object.keys(merged) as (keyof Timeouts)[]) {
    const value = own?.[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function provisionRoute(route: RouteConfig, config: Config): RouteRuntime {
  return {
    name: route.name,
    template: route.match.path,
    timeouts: mergeTimeouts(config.timeouts, route.timeouts),
    requestHeaders: compileHeaderOps(route.headers?.request),
    responseHeaders: compileHeaderOps(route.headers?.response),
    rewrite: compileRewrite(route.rewrite),
    sampling: route.telemetry?.sampling ?? config.telemetry.sampling,
    phaseSpans: route.telemetry?.phaseSpans ?? config.telemetry.phaseSpans,
    observation: undefined,
  };
}

export function provision(config: Config, generation: number, file = '<config>'): Runtime {
  const routes = config.routes.length > 0 ? config.routes : [DEFAULT_ROUTE];
  const runtimes = routes.map((r) => provisionRoute(r, config));
  const defs: RouteDefinition<RouteRuntime>[] = routes.map((r, i) => ({
    path: r.match.path,
    methods: r.match.methods,
    hosts: r.match.hosts,
    value: runtimes[i]!,
  }));
  let router: Router<RouteRuntime>;
  try {
    router = new Router(defs);
  } catch (err) {
    if (err instanceof RouteSyntaxError && config.routes.length > 0) {
      throw new ConfigError([{ file, path: ['routes', err.index, 'match', 'path'], message: err.message }]);
    }
    throw err;
  }
  const connectTimeouts = new Set(runtimes.map((r) => r.timeouts.connect));
  return {
    generation,
    config,
    router,
    routes: runtimes,
    observation: undefined,
    traceResponseHeader: config.telemetry.traceResponseHeader || undefined,
    upstream: new UpstreamCluster(config.upstream, connectTimeouts),
    policy: {
      trustedHops: config.proxy.trustedHops,
      via: `1.1 ${config.proxy.via}`,
      requestIdHeader: config.proxy.requestIdHeader.toLowerCase(),
      traceResponseHeader: config.telemetry.traceResponseHeader.toLowerCase(),
    },
    defaultTimeouts: config.timeouts,
    inflight: 0,
  };
}
