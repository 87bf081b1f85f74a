/**
 * The one upstream service: its endpoints, one undici Pool per endpoint and
 * connect timeout (undici sets connect timeouts per pool, so routes with
 * different connect timeouts get their own pools), and the balancer.
 *
 * An endpoint URL's userinfo never goes further than this file: the pools and
 * every name derived here (origin, address) are built from the URL without
 * it, and the credentials become the endpoint's Basic `Authorization`.
 */
import { type Dispatcher, Pool } from 'undici';
import type { Config } from '../config/schema.ts';
import { WeightedRoundRobin } from './balancer.ts';
import { timedConnector } from './connector.ts';
import { basicAuthorization, withAuthorization } from './headers.ts';

/** A pool that sends its endpoint's credentials with every request that carries none. */
class CredentialedPool extends Pool {
  readonly #authorization: string;

  constructor(origin: string, options: Pool.Options, authorization: string) {
    super(origin, options);
    this.#authorization = authorization;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = Array.isArray(options.headers) ? (options.headers as string[]) : [];
    return super.dispatch({ ...options, headers: withAuthorization(headers, this.#authorization) }, handler);
  }
}

export interface Endpoint {
  /** `http://127.0.0.1:3000` */
  readonly origin: string;
  /** `127.0.0.1:3000`, the `server_address` label and the access log's `upstream`. */
  readonly address: string;
  /** Host and port apart, for the CLIENT span's `server.address` / `server.port`. */
  readonly hostname: string;
  readonly port: number;
  readonly weight: number;
  /** connect timeout (ms) -> pool */
  readonly pools: ReadonlyMap<number, Pool>;
}

export class UpstreamCluster {
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
  readonly #balancer: WeightedRoundRobin<Endpoint>;

  constructor(upstream: Config['upstream'], connectTimeouts: ReadonlySet<number>) {
    this.name = upstream.name;
    this.endpoints = upstream.endpoints.map((ep) => {
      const url = new URL(ep.url);
      const authorization = basicAuthorization(url);
      const pools = new Map<number, Pool>();
      for (const connectTimeout of connectTimeouts) {
        const options: Pool.Options = {
          connections: upstream.connections,
          keepAliveTimeout: upstream.keepAliveTimeout,
          // Timed, so the first request on a new connection can report the connect.
          connect: timedConnector(connectTimeout),
        };
        pools.set(
          connectTimeout,
          authorization === undefined
            ? new Pool(url.origin, options)
            : new CredentialedPool(url.origin, options, authorization),
        );
      }
      const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
      return {
        origin: url.origin,
        address: url.host,
        hostname: url.hostname,
        port,
        weight: ep.weight,
        pools,
      };
    });
    this.#balancer = new WeightedRoundRobin(this.endpoints);
  }

  pick(): Endpoint {
    return this.#balancer.pick();
  }

  /** Waits for in-flight requests on the pools, then closes their sockets. */
  async close(): Promise<void> {
    await Promise.all(this.endpoints.flatMap((ep) => [...ep.pools.values()].map((p) => p.close())));
  }

  /**
   * Abandons every connection at once (drain timeout reached). Requests still
   * in flight fail with `reason` (e.g. `draining`), so they are not recorded
   * as an upstream failure.
   */
  async destroy(reason: Error | null = null): Promise<void> {
    await Promise.all(this.endpoints.flatMap((ep) => [...ep.pools.values()].map((p) => p.destroy(reason))));
  }
}
