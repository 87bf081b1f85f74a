/**
 * Telemetry as one observer of the pipeline: the SERVER span, one INTERNAL
 * span per phase, one CLIENT span per upstream attempt, one observation per
 * histogram, one access-log record. Spans follow the semconv HTTP names.
 *
 * Cost discipline (STYLE.md habit 4): an unsampled request gets a
 * non-recording SERVER span (for its trace id and propagation), no phase or
 * CLIENT spans, no attributes, no events, no exemplars and no log record.
 *
 * The SERVER span starts when the route is known (its name and the route's
 * sampling ratio need it), back-dated to the accept time.
 */
import {
  type Context,
  type Logger as OtelLogger,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';
import type { Outcome, Phase } from '../pipeline/outcome.ts';
import type { RequestObserver } from '../pipeline/pipeline.ts';
import type { Endpoint } from '../upstream/cluster.ts';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SIDELIGHT_CONFIG_GENERATION,
  ATTR_SIDELIGHT_REQUEST_ID,
  ATTR_SIDELIGHT_ROUTE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  EVENT_CONNECT_END,
  EVENT_CONNECT_START,
  EVENT_POOL_ACQUIRED,
  errorTypeOf,
  normalizeMethod,
  UNMATCHED_ROUTE,
} from './attributes.ts';
import { hrTimeOf } from './clock.ts';
import { cancelExpectConnect, expectConnect } from './connect-events.ts';
import type { Metrics } from './metrics.ts';
import { writeAccessLog } from './request-log.ts';
import { ROOT_RATIO_KEY } from './sampler.ts';
import { SeriesCache } from './series-cache.ts';

const PHASE_INDEX = { accept: 0, route: 1, auth: 2, rate_limit: 3, upstream: 4, respond: 5 } as const;
const PHASE_NAMES = ['accept', 'route', 'auth', 'rate_limit', 'upstream', 'respond'] as const;
/** Phases with an INTERNAL span (accept is the SERVER span; upstream has CLIENT spans). */
const SPANNED = new Set(['route', 'auth', 'rate_limit', 'respond']);

/** Per-request telemetry state, a typed field on the request context. */
export class RequestTrace {
  readonly parent: Context;
  server: Span | undefined = undefined;
  serverContext: Context = ROOT_CONTEXT;
  /** The trace's sampling decision (logs and exemplars follow it). */
  sampled = false;
  /** Whether spans record (attributes and child spans are built only then). */
  recording = false;
  phaseSpan: Span | undefined = undefined;
  client: Span | undefined = undefined;
  attemptStartedAt = 0;
  /** Duration (ms) of each phase that ran, -1 for those that did not. */
  readonly phaseMs = [-1, -1, -1, -1, -1, -1];

  constructor(parent: Context) {
    this.parent = parent;
  }
}

const headerGetter: TextMapGetter<RequestContext['req']['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const flatSetter: TextMapSetter<string[]> = {
  set: (carrier, key, value) => {
    carrier.push(key, value);
  },
};

/** Incoming context fields passed through untouched when no propagator is installed. */
const PASS_THROUGH = ['traceparent', 'tracestate', 'baggage'] as const;

/** The route's phaseSpans setting; the top-level one for a request no route matched. */
function phaseSpansOn(ctx: RequestContext): boolean {
  return ctx.route?.phaseSpans ?? ctx.runtime.config.telemetry.phaseSpans;
}

function spanName(ctx: RequestContext): string {
  const method = normalizeMethod(ctx.req.method);
  const name = method === '_OTHER' ? 'HTTP' : method;
  return ctx.route === undefined ? name : `${name} ${ctx.route.template}`;
}

/** `server.address`/`server.port` of a SERVER span: the Host header (semconv), `[v6]:port` aware. */
function hostAndPort(host: string | undefined): { address: string; port: number | undefined } | undefined {
  if (host === undefined || host === '') return undefined;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (m === null) return undefined;
  const address = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { address, port: m[2] === undefined ? undefined : Number(m[2]) };
}

export interface ObserverOptions {
  /** Where access records go over OTLP (the SDK's logger when logs are exported). */
  otelLogger?: OtelLogger | undefined;
  tracer?: Tracer;
  metrics: Metrics;
  log: Logger;
  keepWarnings: () => boolean;
  defaultSampling: () => number;
}

export class TelemetryObserver implements RequestObserver {
  readonly #tracer: Tracer;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #keepWarnings: () => boolean;
  readonly #defaultSampling: () => number;
  readonly #otelLogger: OtelLogger | undefined;
  readonly #serverSeries: SeriesCache<string>;
  readonly #clientSeries: SeriesCache<string>;
  readonly #phaseSeries: SeriesCache<string>;
  readonly #requestBodySeries: SeriesCache<string>;
  readonly #responseBodySeries: SeriesCache<string>;
  /** ROOT_CONTEXT carrying each root ratio, so requests without a parent build no context. */
  readonly #rootByRatio = new Map<number, Context>();

  constructor(options: ObserverOptions) {
    this.#tracer = options.tracer ?? trace.getTracer('sidelight');
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#keepWarnings = options.keepWarnings;
    this.#defaultSampling = options.defaultSampling;
    this.#otelLogger = options.otelLogger;
    const m = options.metrics;
    this.#serverSeries = new SeriesCache(m.serverDuration);
    this.#clientSeries = new SeriesCache(m.clientDuration);
    this.#phaseSeries = new SeriesCache(m.phaseDuration);
    this.#requestBodySeries = new SeriesCache(m.requestBodySize);
    this.#responseBodySeries = new SeriesCache(m.responseBodySize);
  }

  requestStart(ctx: RequestContext): void {
    this.#metrics.activeRequests.inc();
    const h = ctx.req.headers;
    const parent =
      h.traceparent === undefined && h.baggage === undefined
        ? ROOT_CONTEXT
        : propagation.extract(ROOT_CONTEXT, h, headerGetter);
    ctx.trace = new RequestTrace(parent);
  }

  phaseStart(ctx: RequestContext, phase: Phase): void {
    const tr = ctx.trace!;
    if (tr.recording && phase.name !== 'route' && SPANNED.has(phase.name) && phaseSpansOn(ctx)) {
      tr.phaseSpan = this.#tracer.startSpan(
        `sidelight.${phase.name}`,
        { kind: SpanKind.INTERNAL, startTime: hrTimeOf(performance.now()) },
        tr.serverContext,
      );
    }
  }

  phaseEnd(ctx: RequestContext, phase: Phase, outcome: Outcome, startedAt: number, now: number): void {
    const tr = ctx.trace!;
    tr.phaseMs[PHASE_INDEX[phase.name]] = now - startedAt;
    if (phase.name === 'route') {
      this.#startServerSpan(ctx, tr);
      if (tr.recording && phaseSpansOn(ctx)) {
        // The route ran before the SERVER span existed: record it with its real times.
        const span = this.#tracer.startSpan(
          'sidelight.route',
          { kind: SpanKind.INTERNAL, startTime: hrTimeOf(startedAt) },
          tr.serverContext,
        );
        if (outcome !== 'continue') {
          span.setAttribute(ATTR_ERROR_TYPE, outcome.reason);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
        }
        span.end(hrTimeOf(now));
      }
      return;
    }
    const span = tr.phaseSpan;
    if (span !== undefined) {
      tr.phaseSpan = undefined;
      if (outcome !== 'continue') {
        span.setAttribute(ATTR_ERROR_TYPE, outcome.reason);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
      }
      span.end(hrTimeOf(now));
    }
  }

  #startServerSpan(ctx: RequestContext, tr: RequestTrace): void {
    const ratio = ctx.route?.sampling ?? this.#defaultSampling();
    let parent: Context;
    if (tr.parent === ROOT_CONTEXT) {
      parent = this.#rootByRatio.get(ratio) ?? ROOT_CONTEXT.setValue(ROOT_RATIO_KEY, ratio);
      if (this.#rootByRatio.size < 64) this.#rootByRatio.set(ratio, parent);
    } else {
      parent = tr.parent.setValue(ROOT_RATIO_KEY, ratio);
    }
    const span = this.#tracer.startSpan(
      spanName(ctx),
      { kind: SpanKind.SERVER, startTime: hrTimeOf(ctx.startedAt) },
      parent,
    );
    tr.server = span;
    tr.serverContext = trace.setSpan(tr.parent, span);
    tr.sampled = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
    tr.recording = span.isRecording();
    if (!tr.recording) return;
    const req = ctx.req;
    const method = normalizeMethod(req.method);
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: ctx.path,
      [ATTR_URL_SCHEME]: 'http',
      [ATTR_CLIENT_ADDRESS]: ctx.peerAddress,
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      [ATTR_SIDELIGHT_REQUEST_ID]: ctx.requestId,
      [ATTR_SIDELIGHT_CONFIG_GENERATION]: ctx.runtime.generation,
    });
    if (method === '_OTHER' && req.method) span.setAttribute(ATTR_HTTP_REQUEST_METHOD_ORIGINAL, req.method);
    const ua = req.headers['user-agent'];
    if (ua !== undefined) span.setAttribute(ATTR_USER_AGENT_ORIGINAL, ua);
    const host = hostAndPort(req.headers.host);
    if (host !== undefined) {
      span.setAttribute(ATTR_SERVER_ADDRESS, host.address);
      if (host.port !== undefined) span.setAttribute(ATTR_SERVER_PORT, host.port);
    }
    if (ctx.route !== undefined) {
      span.setAttribute(ATTR_HTTP_ROUTE, ctx.route.template);
      span.setAttribute(ATTR_SIDELIGHT_ROUTE_NAME, ctx.route.name);
    }
  }

  /** A new upstream attempt: opens its CLIENT span; returns the headers that carry the context upstream. */
  attemptStart(ctx: RequestContext, endpoint: Endpoint, path: string): string[] {
    const tr = ctx.trace!;
    if (tr.server === undefined) this.#startServerSpan(ctx, tr);
    tr.attemptStartedAt = performance.now();
    let injectFrom = tr.serverContext;
    if (tr.recording) {
      const method = normalizeMethod(ctx.req.method);
      const client = this.#tracer.startSpan(
        method === '_OTHER' ? 'HTTP' : method,
        {
          kind: SpanKind.CLIENT,
          startTime: hrTimeOf(tr.attemptStartedAt),
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: method,
            [ATTR_SERVER_ADDRESS]: endpoint.hostname,
            [ATTR_SERVER_PORT]: endpoint.port,
            [ATTR_URL_FULL]: `${endpoint.origin}${path}`,
          },
        },
        tr.serverContext,
      );
      if (ctx.attempts > 1) client.setAttribute(ATTR_HTTP_REQUEST_RESEND_COUNT, ctx.attempts - 1);
      tr.client = client;
      injectFrom = trace.setSpan(tr.serverContext, client);
    }
    const carrier: string[] = [];
    propagation.inject(injectFrom, carrier, flatSetter);
    if (carrier.length === 0) {
      // No propagator installed (SDK disabled): do not swallow the client's context.
      for (const name of PASS_THROUGH) {
        const v = ctx.req.headers[name];
        if (typeof v === 'string') carrier.push(name, v);
      }
    }
    return carrier;
  }

  /** A timing event on the attempt's CLIENT span (pool acquired, connect, first byte). */
  attemptEvent(ctx: RequestContext, name: string, at?: number): void {
    const client = ctx.trace?.client;
    if (client === undefined) return;
    client.addEvent(name, hrTimeOf(at ?? performance.now()));
    if (name === EVENT_POOL_ACQUIRED) {
      expectConnect((start, end) => {
        client.addEvent(EVENT_CONNECT_START, hrTimeOf(start));
        client.addEvent(EVENT_CONNECT_END, hrTimeOf(end));
      });
    }
  }

  attemptEnd(ctx: RequestContext, status: number, reason: string | undefined): void {
    const tr = ctx.trace!;
    const now = performance.now();
    const errorType = reason ?? (status >= 400 ? String(status) : '');
    const value = (now - tr.attemptStartedAt) / 1000;
    const client = tr.client;
    cancelExpectConnect();
    const h = this.#metrics.clientDuration;
    const series = this.#clientSeries.get4(
      normalizeMethod(ctx.req.method),
      ctx.endpoint,
      // No response head, no status (semconv leaves the attribute out; an empty label is absent).
      status > 0 ? status : '',
      errorType,
    );
    if (client !== undefined && tr.sampled) {
      const sc = client.spanContext();
      h.observe(series, value, { trace_id: sc.traceId, span_id: sc.spanId });
    } else {
      h.observe(series, value);
    }
    if (client === undefined) return;
    tr.client = undefined;
    if (status > 0) client.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (errorType !== '') {
      client.setAttribute(ATTR_ERROR_TYPE, errorType);
      client.setStatus({ code: SpanStatusCode.ERROR, ...(reason ? { message: reason } : {}) });
    }
    client.end(hrTimeOf(now));
  }

  requestEnd(ctx: RequestContext): void {
    const tr = ctx.trace!;
    const now = performance.now();
    if (tr.server === undefined) this.#startServerSpan(ctx, tr);
    const server = tr.server!;
    const errorType = errorTypeOf(ctx);
    const route = ctx.route?.template ?? UNMATCHED_ROUTE;
    const method = normalizeMethod(ctx.req.method);
    const m = this.#metrics;
    const seconds = (now - ctx.startedAt) / 1000;
    const sc = server.spanContext();
    const exemplar = tr.sampled ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
    m.serverDuration.observe(
      this.#serverSeries.get4(method, route, ctx.status, errorType),
      seconds,
      exemplar,
    );
    for (let i = 0; i < 6; i++) {
      const ms = tr.phaseMs[i]!;
      if (ms >= 0)
        m.phaseDuration.observe(this.#phaseSeries.get2(PHASE_NAMES[i]!, route), ms / 1000, exemplar);
    }
    m.requestBodySize.observe(this.#requestBodySeries.get2(method, route), ctx.bytesIn);
    m.responseBodySize.observe(this.#responseBodySeries.get2(method, route), ctx.bytesOut);
    m.activeRequests.dec();

    if (tr.recording) {
      server.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, ctx.status);
      server.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, ctx.bytesIn);
      server.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, ctx.bytesOut);
      if (errorType !== '') server.setAttribute(ATTR_ERROR_TYPE, errorType);
      // Server spans are errors on 5xx only (semconv); 4xx are the client's.
      if (ctx.status >= 500)
        server.setStatus({ code: SpanStatusCode.ERROR, ...(ctx.error ? { message: ctx.error.reason } : {}) });
    }
    server.end(hrTimeOf(now));
    writeAccessLog(
      this.#log,
      ctx,
      tr.sampled,
      this.#keepWarnings(),
      sc,
      now - ctx.startedAt,
      this.#otelLogger,
    );
  }
}
