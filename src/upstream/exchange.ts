/**
 * One upstream exchange as an undici dispatch handler: the state machine
 * behind the upstream and respond phases (undici's split of interceptor and
 * handler). It writes straight into the client's response with backpressure
 * both ways and holds at most HOLD_LIMIT bytes of a body.
 *
 *   waiting --onResponseStart--> head --stream()--> streaming --onResponseEnd--> done
 *      \____________________ onResponseError / abort ____________________/
 *
 * The head settles the upstream phase; the respond phase writes it on and lets
 * the body flow (the boundary between the two phase timings). Body bytes that
 * arrive in between, typically the whole of a small response read with its
 * head, are held and written after the head; past HOLD_LIMIT the upstream is
 * paused instead. Pausing at every head cost each request a re-read of its
 * own socket data (undici unshifts what the paused parser did not consume).
 *
 * Timeouts are Node timers with millisecond resolution, not undici's
 * (issue #9): undici's headers and body timers tick every ~500 ms, so a 300 ms
 * timeout fired at ~1 s. `responseHeaders` runs from the request being
 * written (its body fully handed over) to the response head; `bodyIdle` on
 * the response is the longest gap between two body chunks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../pipeline/context.ts';
import { abortExchange } from '../pipeline/deadline.ts';
import { ProxyError } from '../pipeline/errors.ts';
import { CONTINUE, type Outcome } from '../pipeline/outcome.ts';
import { classifyUpstreamError } from './classify.ts';
import type { Endpoint } from './cluster.ts';
import { cancelExpectConnect, expectConnect } from './connect-events.ts';
import { buildRequestHeaders, buildResponseHeaders } from './headers.ts';

const WAITING = 0;
const HEAD = 1;
const STREAMING = 2;
const DONE = 3;

/** Body bytes held between the head and the respond phase before the upstream is paused. */
const HOLD_LIMIT = 16 * 1024;

function hasBody(ctx: RequestContext): boolean {
  const h = ctx.req.headers;
  return (
    h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')
  );
}

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  readonly #ctx: RequestContext;
  #state = WAITING;
  #settle: (o: Outcome) => void = noop;
  #abandoned: ProxyError | undefined;
  /** Trailers of a response that ended before its head was sent on (no body, or all of it held). */
  #endedEarly: IncomingHttpHeaders | undefined;
  /** Body chunks that arrived before the respond phase wrote the head. */
  #held: Buffer[] | undefined;
  #heldBytes = 0;
  /** Resumes the upstream when the client drains; created on the first backpressure only. */
  #onDrain: (() => void) | undefined;
  /** The client socket whose idle timer watches the request body (undici detaches it from `req`). */
  #watched: Socket | undefined;
  /** Set while the request body is watched (requests with a body only). */
  #unwatchRequestBody: (() => void) | undefined;
  /** The responseHeaders timer, then the response bodyIdle timer. */
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last response body chunk (bodyIdle measures from it). */
  #lastData = 0;

  constructor(ctx: RequestContext) {
    this.#ctx = ctx;
  }

  /** Sends the request; settles with CONTINUE at the response headers, or a failure. */
  start(endpoint: Endpoint): Promise<Outcome> {
    const ctx = this.#ctx;
    const route = ctx.route!;
    const { promise, resolve } = Promise.withResolvers<Outcome>();
    this.#settle = resolve;
    const path = route.rewrite === undefined ? ctx.path : route.rewrite(ctx.path, ctx.params);
    const pool = endpoint.pools.get(ctx.timeouts.connect)!;
    const target = ctx.query === '' ? path : `${path}?${ctx.query}`;
    const propagated = ctx.observer?.attemptStart(ctx, endpoint, path);
    const body = hasBody(ctx) ? ctx.req : null;
    if (body !== null && !body.complete && ctx.timeouts.bodyIdle > 0) this.#watchRequestBody();
    pool.dispatch(
      {
        path: target,
        method: ctx.req.method!,
        headers: buildRequestHeaders(
          ctx.req,
          { peerAddress: ctx.peerAddress, proto: 'http', requestId: ctx.requestId },
          ctx.runtime.policy,
          route.requestHeaders,
          propagated,
        ),
        body,
        // Sidelight's own timers (below) replace undici's coarse ones.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      this,
    );
    return promise;
  }

  /**
   * `bodyIdle` on the request body: the client connection saw no traffic for
   * that long while the body is incomplete. Bytes still waiting to go up mean
   * the upstream stopped reading; none mean the client stalled.
   */
  #watchRequestBody(): void {
    const ctx = this.#ctx;
    const req = ctx.req;
    const onIdle = (): void => {
      unwatch();
      if (req.complete) return;
      const detail = `(body idle ${ctx.timeouts.bodyIdle} ms)`;
      // Paused (undici stops reading when the upstream's socket is full) or holding
      // unread bytes: the upstream is the one not keeping up.
      const upstreamStalled = req.readableFlowing === false || req.readableLength > 0;
      const reason = upstreamStalled ? 'upstream_timeout' : 'request_timeout';
      abortExchange(ctx, new ProxyError(reason, { detail }));
    };
    const unwatch = (): void => {
      req.removeListener('timeout', onIdle);
      req.removeListener('end', unwatch);
      // The socket outlives the request (keep-alive): leave no timer on it.
      this.#watched?.setTimeout(0);
      this.#watched = undefined;
      this.#unwatchRequestBody = undefined;
    };
    this.#watched = req.socket;
    this.#unwatchRequestBody = unwatch;
    req.setTimeout(ctx.timeouts.bodyIdle, onIdle);
    req.once('end', unwatch);
  }

  /** An abort (timeout, client gone) before a connection was assigned: settle now. */
  abortPending(reason: ProxyError): void {
    this.#fail(reason);
  }

  /** The respond phase: send the head, let the body flow; settles at the last byte. */
  stream(): Promise<Outcome> {
    const ctx = this.#ctx;
    const { promise, resolve } = Promise.withResolvers<Outcome>();
    this.#settle = resolve;
    if (this.#state !== HEAD) return Promise.resolve(ctx.error ?? CONTINUE);
    const res = ctx.res;
    const headers = buildResponseHeaders(
      ctx.upstreamHeaders!,
      ctx.requestId,
      ctx.runtime.policy,
      ctx.route!.responseHeaders,
    );
    const traceResponse = ctx.observer?.traceResponse(ctx);
    if (traceResponse !== undefined) headers.push(traceResponse[0], traceResponse[1]);
    // The upstream answers while the request body is still arriving. If it stops
    // reading, undici drops the rest of the body, which then stays unread on the
    // client connection and wedges it: such a connection closes after this response.
    if (!ctx.req.complete) res.shouldKeepAlive = false;
    try {
      res.writeHead(ctx.upstreamStatus, headers);
    } catch (err) {
      // Node refuses a header value undici accepted: the upstream's fault.
      const reason = classifyUpstreamError(
        Object.assign(new Error('invalid response header'), { code: 'HPE_INVALID_HEADER_TOKEN', cause: err }),
      );
      // A response that already ended ignores the abort: fail the attempt here too.
      this.#ctx.upstreamController?.abort(reason);
      this.#fail(reason);
      return promise;
    }
    ctx.status = ctx.upstreamStatus;
    this.#state = STREAMING;
    const controller = ctx.upstreamController!;
    let flowing = true;
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      // Any full write keeps the upstream paused until the client drains.
      for (const chunk of held) if (!this.#write(controller, chunk)) flowing = false;
    }
    if (this.#endedEarly !== undefined) {
      this.#finish(this.#endedEarly);
      return promise;
    }
    // The body is still coming: watch its gaps. (A small response usually ended with its
    // head, and then needs no timer at all.)
    const idle = ctx.timeouts.bodyIdle;
    if (idle > 0) {
      this.#lastData = performance.now();
      this.#armBodyIdle(idle);
    }
    if (flowing && controller.paused) controller.resume();
    return promise;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const ctx = this.#ctx;
    if (this.#abandoned) {
      controller.abort(this.#abandoned);
      return;
    }
    ctx.upstreamController = controller;
    const observer = ctx.observer;
    if (observer !== undefined) {
      observer.attemptPoint(ctx, 'pool_acquired', performance.now());
      // A new connection reports its connect timing right after this (undici:client:sendHeaders).
      expectConnect((start, end) => observer.attemptConnected(ctx, start, end));
    }
    const ms = ctx.timeouts.responseHeaders;
    if (ms > 0) {
      const req = ctx.req;
      // From the request being written: a body still arriving from the client is not the upstream's time.
      if (!hasBody(ctx) || req.complete) this.#armHeadersTimeout(ms);
      else req.once('end', () => this.#armHeadersTimeout(ms));
    }
  }

  #armHeadersTimeout(ms: number): void {
    if (this.#state !== WAITING) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      abortExchange(this.#ctx, new ProxyError('upstream_timeout', { detail: `(responseHeaders ${ms} ms)` }));
    }, ms);
  }

  /** Response bodyIdle: fires `ms` after the last chunk; re-arms itself for the rest of the gap. */
  #armBodyIdle(ms: number): void {
    const left = Math.ceil(this.#lastData + ms - performance.now());
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#state === DONE) return;
        if (performance.now() - this.#lastData < ms) this.#armBodyIdle(ms);
        else abortExchange(this.#ctx, new ProxyError('upstream_timeout', { detail: `(bodyIdle ${ms} ms)` }));
      },
      Math.max(1, left),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  onBodySent(chunk: Buffer | string): void {
    this.#ctx.bytesIn += chunk.length;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the final head follows
    const ctx = this.#ctx;
    ctx.upstreamStatus = statusCode;
    ctx.upstreamHeaders = headers;
    ctx.observer?.attemptPoint(ctx, 'first_byte', performance.now());
    this.#clearTimer();
    this.#state = HEAD;
    this.#settle(CONTINUE);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#ctx.bytesOut += chunk.length;
    if (this.#timer !== undefined) this.#lastData = performance.now();
    if (this.#state !== HEAD) {
      this.#write(controller, chunk);
      return;
    }
    // The respond phase has not written the head yet (it runs on the next microtask).
    if (this.#held === undefined) this.#held = [chunk];
    else this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes >= HOLD_LIMIT) controller.pause();
  }

  /** Writes a body chunk on; pauses the upstream until the client drains. False when paused. */
  #write(controller: Dispatcher.DispatchController, chunk: Buffer): boolean {
    const res = this.#ctx.res;
    if (res.write(chunk)) return true;
    controller.pause();
    if (this.#onDrain === undefined) {
      this.#onDrain = () => this.#ctx.upstreamController?.resume();
      res.on('drain', this.#onDrain);
    }
    return false;
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.#state === HEAD) {
      // No body (HEAD, 204, 304) or all of it held: the end came before the respond phase sent the head.
      this.#endedEarly = trailers;
      return;
    }
    this.#finish(trailers);
  }

  #finish(trailers: IncomingHttpHeaders): void {
    const ctx = this.#ctx;
    this.#state = DONE;
    this.#release();
    for (const _ in trailers) {
      // Only a chunked response can carry trailers (RFC 9112 §7.1.2).
      if (ctx.res.chunkedEncoding) ctx.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    ctx.res.end();
    ctx.observer?.attemptEnd(ctx, ctx.upstreamStatus, undefined);
    this.#settle(CONTINUE);
  }

  /** Drops the listeners this exchange added to the client's request and response. */
  #release(): void {
    this.#clearTimer();
    cancelExpectConnect();
    if (this.#onDrain !== undefined) this.#ctx.res.removeListener('drain', this.#onDrain);
    this.#unwatchRequestBody?.();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(this.#ctx.error ?? classifyUpstreamError(err));
  }

  #fail(reason: ProxyError): void {
    if (this.#state === DONE) return;
    const ctx = this.#ctx;
    ctx.error ??= reason;
    if (this.#state === WAITING) this.#abandoned = reason;
    this.#state = DONE;
    this.#held = undefined;
    this.#release();
    ctx.observer?.attemptEnd(ctx, ctx.upstreamStatus, reason);
    this.#settle(reason);
  }
}

function noop(): void {}
