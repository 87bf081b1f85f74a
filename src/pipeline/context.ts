/**
 * The per-request state every phase reads and writes. One object per request,
 * created at accept, so phases take one argument instead of ten (STYLE.md).
 * Fields are plain typed properties: no symbol keys, no maps.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { RouteRuntime, Runtime } from '../config/runtime.ts';
import type { Timeouts } from '../config/schema.ts';
import type { UpstreamExchange } from '../upstream/exchange.ts';
import type { ProxyError } from './errors.ts';
import type { RequestObserver } from './observer.ts';

export type PhaseName = 'accept' | 'route' | 'auth' | 'rate_limit' | 'upstream' | 'respond';

export class RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The config snapshot this request started on; it keeps it to the end. */
  readonly runtime: Runtime;
  /** performance.now() at accept. */
  readonly startedAt: number;
  /** Telemetry hooks (spans, metrics, access log); undefined when none is attached. */
  readonly observer: RequestObserver | undefined;
  /** The observer's own per-request record, opaque to the pipeline (telemetry's RequestRecord). */
  observation: object | undefined = undefined;

  requestId = '';
  peerAddress = '';
  /** Normalised path (what is matched is what is forwarded) and raw query. */
  path = '';
  query = '';
  route: RouteRuntime | undefined = undefined;
  params: Record<string, string> = {};
  /** Effective timeouts: the route's, or the runtime defaults until routed. */
  timeouts: Timeouts;

  /** Set when the outcome is a failure or a local reply. */
  error: ProxyError | undefined = undefined;
  /** Status the client got (or 499 when it left). 0 until decided. */
  status = 0;

  attempts = 0;
  endpoint = '';
  upstreamStatus = 0;
  upstreamHeaders: IncomingHttpHeaders | undefined = undefined;
  /** The live upstream exchange, so an abort from either side can reach it. */
  upstreamController: Dispatcher.DispatchController | undefined = undefined;
  exchange: UpstreamExchange | undefined = undefined;
  /** Request body bytes read from the client / response body bytes written to it. */
  bytesIn = 0;
  bytesOut = 0;
  clientGone = false;
  /** The response head went out, then a failure that is not the client's cut the body short. */
  cutAfterHead = false;
  totalTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    runtime: Runtime,
    startedAt: number,
    observer: RequestObserver | undefined,
  ) {
    this.observer = observer;
    this.req = req;
    this.res = res;
    this.runtime = runtime;
    this.startedAt = startedAt;
    this.timeouts = runtime.defaultTimeouts;
  }
}
