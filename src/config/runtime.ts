/**
 * The provisioned runtime: everything the hot path needs, computed once per
 * config generation (router, pools, compiled header lists, labels). A request
 * holds the runtime it started on until it finishes; a reload swaps in a new
 * one and retires the old after its in-flight requests drain (store.ts).
 */
import type { Router } from '../routing/router.ts';
import type { UpstreamCluster } from '../upstream/cluster.ts';
import type { CompiledHeaderOps, ForwardingPolicy } from '../upstream/headers.ts';
import type { Config, Timeouts } from './schema.ts';

export interface RouteRuntime {
  readonly name: string;
  /** The template as written: `http.route` on spans and metrics. */
  readonly template: string;
  readonly timeouts: Timeouts;
  readonly requestHeaders: CompiledHeaderOps | undefined;
  readonly responseHeaders: CompiledHeaderOps | undefined;
  /** Path (without query) to forward, from the normalised path and the params. */
  readonly rewrite: ((path: string, params: Record<string, string>) => string) | undefined;
  readonly sampling: number;
  readonly phaseSpans: boolean;
  /** Filled by the request observer at provision (telemetry: the route's histogram series); opaque here. */
  observation: object | undefined;
}

export interface Runtime {
  readonly generation: number;
  readonly config: Config;
  readonly router: Router<RouteRuntime>;
  /** Every route, in config order. */
  readonly routes: readonly RouteRuntime[];
  /** The observer's slot for requests no route matched (like `RouteRuntime.observation`). */
  observation: object | undefined;
  /** Response header naming the request's trace (`telemetry.traceResponseHeader`); undefined when off. */
  readonly traceResponseHeader: string | undefined;
  readonly upstream: UpstreamCluster;
  readonly policy: ForwardingPolicy;
  readonly defaultTimeouts: Timeouts;
  /** Requests that started on this runtime and have not finished. */
  inflight: number;
}
