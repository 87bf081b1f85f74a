/**
 * Telemetry as one observer of the pipeline (pipeline/observer.ts). What a
 * request costs is decided at config time and by its sampling decision:
 *
 * - every request: its trace context is extracted and propagated, it writes
 *   plain fields into its RequestRecord (phase boundaries, attempt timing
 *   points), and it counts into histogram series resolved per route
 *   (route-series.ts);
 * - a sampled request also becomes real SDK spans, made in one go when it
 *   ends (materialise.ts), only when spans are exported; and it gets an
 *   access-log record and exemplars;
 * - a failed request is kept for /debug/traces and logged at warn, sampled
 *   or not (`telemetry.keepWarnings`).
 *
 * The sampling decision is made when the route is known (its ratio needs it):
 * at the end of the route phase.
 */
import {
  type Context,
  type Logger as OtelLogger,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Runtime } from '../config/runtime.ts';
import type { PhaseName, RequestContext } from '../pipeline/context.ts';
import type { ProxyError } from '../pipeline/errors.ts';
import type { AttemptPoint, RequestObserver } from '../pipeline/observer.ts';
import { CONTINUE, type Outcome } from '../pipeline/outcome.ts';
import type { Endpoint } from '../upstream/cluster.ts';
import { errorTypeOf, normalizeMethod, UNMATCHED_ROUTE } from './attributes.ts';
import { materialise } from './materialise.ts';
import type { Metrics } from './metrics.ts';
import type { RecentTraces } from './recent-traces.ts';
import { writeAccessLog } from './request-log.ts';
import { AttemptRecord, FINISH, PHASE_INDEX, PHASES, RequestRecord } from './request-record.ts';
import { dropRouteSeries, methodIndex, RouteSeries } from './route-series.ts';
import { DEFAULT_POLICY, SamplingDecider } from './sampler.ts';
import { SeriesCache } from './series-cache.ts';
import { finishedRequest } from './span-data.ts';
import { newSpanId, newTraceId } from './trace-ids.ts';

const headerGetter: TextMapGetter<RequestContext['req']['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const flatSetter: TextMapSetter<string[]> = {
  set: (carrier, key, value) => {
    carrier.push(key, value);
  },
};

/** Incoming context fields passed through untouched when no propagator is installed (SDK disabled). */
const PASS_THROUGH = ['traceparent', 'tracestate', 'baggage'] as const;

export interface ObserverOptions {
  metrics: Metrics;
  log: Logger;
  keepWarnings: () => boolean;
  defaultSampling: () => number;
  /** Where sampled requests' spans go; undefined: no span is ever made (nothing exports them). */
  tracer?: Tracer | undefined;
  /** Where access records go over OTLP (the SDK's logger when logs are exported). */
  otelLogger?: OtelLogger | undefined;
  /** The /debug/traces buffer. */
  recent?: RecentTraces | undefined;
  sampling?: SamplingDecider;
  /**
   * Whether Sidelight takes part in the trace (its ids go upstream). False with
   * no SDK or a disabled one: the client's trace context is passed on untouched.
   */
  propagate?: boolean;
}

function recordOf(ctx: RequestContext): RequestRecord {
  return ctx.observation as RequestRecord;
}

function seriesOf(ctx: RequestContext): RouteSeries {
  return (ctx.route?.observation ?? ctx.runtime.observation) as RouteSeries;
}

export class TelemetryObserver implements RequestObserver {
  readonly #tracer: Tracer | undefined;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #keepWarnings: () => boolean;
  readonly #defaultSampling: () => number;
  readonly #otelLogger: OtelLogger | undefined;
  readonly #recent: RecentTraces | undefined;
  readonly #sampling: SamplingDecider;
  readonly #propagate: boolean;
  /** Upstream attempts by endpoint: endpoints come from config, so these stay small. */
  readonly #clientSeries: SeriesCache<string>;
  readonly #stepSeries: SeriesCache<string>;

  constructor(options: ObserverOptions) {
    this.#tracer = options.tracer;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#keepWarnings = options.keepWarnings;
    this.#defaultSampling = options.defaultSampling;
    this.#otelLogger = options.otelLogger;
    this.#recent = options.recent?.enabled ? options.recent : undefined;
    this.#sampling = options.sampling ?? new SamplingDecider(DEFAULT_POLICY);
    this.#propagate = options.propagate ?? true;
    this.#clientSeries = new SeriesCache(options.metrics.clientDuration);
    this.#stepSeries = new SeriesCache(options.metrics.attemptTiming);
  }

  provision(runtime: Runtime): void {
    for (const route of runtime.routes) route.observation = new RouteSeries(this.#metrics, route.template);
    runtime.observation = new RouteSeries(this.#metrics, UNMATCHED_ROUTE);
  }

  retire(_runtime: Runtime, current: Runtime): void {
    dropRouteSeries(this.#metrics, new Set([UNMATCHED_ROUTE, ...current.routes.map((r) => r.template)]));
  }

  requestStart(ctx: RequestContext): void {
    this.#metrics.activeRequests.inc();
    const h = ctx.req.headers;
    let parentContext: Context = ROOT_CONTEXT;
    let remote: SpanContext | undefined;
    if (h.traceparent !== undefined || h.baggage !== undefined) {
      parentContext = propagation.extract(ROOT_CONTEXT, h, headerGetter);
      const sc = trace.getSpanContext(parentContext);
      if (sc !== undefined && trace.isSpanContextValid(sc)) remote = sc;
    }
    ctx.observation = new RequestRecord(parentContext, remote, remote?.traceId ?? newTraceId());
  }

  phaseEnd(
    ctx: RequestContext,
    phase: PhaseName,
    outcome: Outcome,
    startedAt: number,
    endedAt: number,
  ): void {
    const record = recordOf(ctx);
    const i = PHASE_INDEX[phase];
    record.phaseStart[i] = startedAt;
    record.phaseEnd[i] = endedAt;
    if (outcome !== CONTINUE) {
      record.failedPhase = i;
      record.failedReason = outcome.reason;
    }
    if (phase === 'route') this.#decide(ctx, record);
  }

  #decide(ctx: RequestContext, record: RequestRecord): void {
    record.decided = true;
    record.spanId = newSpanId();
    const ratio = ctx.route?.sampling ?? this.#defaultSampling();
    record.sampled = this.#sampling.sampled(record.remoteParent, record.traceId, ratio);
  }

  attemptStart(ctx: RequestContext, endpoint: Endpoint, path: string): string[] {
    const record = recordOf(ctx);
    if (!record.decided) this.#decide(ctx, record);
    // An unsampled attempt has no span of its own: the upstream's parent is the SERVER span id.
    const spanId = record.sampled ? newSpanId() : record.spanId;
    const attempt = new AttemptRecord(spanId, endpoint, path, record.attempts.length, performance.now());
    record.attempts.push(attempt);
    record.current = attempt;
    const carrier: string[] = [];
    if (!this.#propagate) {
      for (const name of PASS_THROUGH) {
        const v = ctx.req.headers[name];
        if (typeof v === 'string') carrier.push(name, v);
      }
      return carrier;
    }
    const sc: SpanContext = {
      traceId: record.traceId,
      spanId,
      traceFlags: record.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: false,
    };
    if (record.remoteParent?.traceState !== undefined) sc.traceState = record.remoteParent.traceState;
    propagation.inject(trace.setSpanContext(record.parentContext, sc), carrier, flatSetter);
    return carrier;
  }

  attemptPoint(ctx: RequestContext, point: AttemptPoint, at: number): void {
    const a = recordOf(ctx).current;
    if (a === undefined) return;
    if (point === 'pool_acquired') a.poolAcquired = at;
    else a.firstByte = at;
  }

  attemptConnected(ctx: RequestContext, start: number, end: number): void {
    const a = recordOf(ctx).current;
    if (a === undefined) return;
    a.connectStart = start;
    a.connectEnd = end;
  }

  attemptEnd(ctx: RequestContext, status: number, error: ProxyError | undefined): void {
    const record = recordOf(ctx);
    const a = record.current;
    if (a === undefined) return;
    record.current = undefined;
    a.end = performance.now();
    a.status = status;
    if (error !== undefined) {
      a.reason = error.reason;
      a.errorMessage = error.message;
      const cause = error.cause as { code?: unknown; name?: unknown } | undefined;
      const code = cause?.code ?? cause?.name;
      if (typeof code === 'string') a.errorCode = code;
    }
    const errorType = a.reason ?? (status >= 400 ? String(status) : '');
    const series = this.#clientSeries.get4(
      normalizeMethod(ctx.req.method),
      ctx.endpoint,
      // No response head, no status (semconv leaves the attribute out; an empty label is absent).
      status > 0 ? status : '',
      errorType,
    );
    const seconds = (a.end - a.start) / 1000;
    const ex = record.sampled ? exemplar(record, a.spanId) : undefined;
    const m = this.#metrics;
    m.clientDuration.observe(series, seconds, ex);
    // The attempt's steps, from dispatch (the CLIENT span's events, as metrics).
    const steps = m.attemptTiming;
    if (a.poolAcquired >= 0)
      steps.observe(this.#stepSeries.get2('pool_wait', ctx.endpoint), (a.poolAcquired - a.start) / 1000, ex);
    if (a.connectStart >= 0)
      steps.observe(
        this.#stepSeries.get2('connect', ctx.endpoint),
        (a.connectEnd - a.connectStart) / 1000,
        ex,
      );
    if (a.firstByte >= 0)
      steps.observe(this.#stepSeries.get2('first_byte', ctx.endpoint), (a.firstByte - a.start) / 1000, ex);
  }

  traceResponse(ctx: RequestContext): readonly [string, string] | undefined {
    const name = ctx.runtime.traceResponseHeader;
    if (name === undefined) return undefined;
    const record = recordOf(ctx);
    if (!record.decided) this.#decide(ctx, record);
    record.traceResponse ??= `00-${record.traceId}-${record.spanId}-${record.sampled ? '01' : '00'}`;
    return [name, record.traceResponse];
  }

  requestEnd(ctx: RequestContext): void {
    const record = recordOf(ctx);
    const now = performance.now();
    if (!record.decided) this.#decide(ctx, record);
    // finish: from the end of the last phase that ran to now (rescue, spans, metrics, log).
    let last = ctx.startedAt;
    for (let i = 0; i < FINISH; i++) if (record.phaseEnd[i]! > last) last = record.phaseEnd[i]!;
    record.phaseStart[FINISH] = last;
    record.phaseEnd[FINISH] = now;

    const m = this.#metrics;
    const rs = seriesOf(ctx);
    const method = methodIndex(ctx.req.method);
    const errorType = errorTypeOf(ctx);
    const ex = record.sampled ? exemplar(record, record.spanId) : undefined;
    // The SERVER span ends at `now` too: its duration is this observation.
    m.serverDuration.observe(
      rs.server(method, ctx.status, ctx.error, errorType),
      (now - ctx.startedAt) / 1000,
      ex,
    );
    for (let i = 0; i < PHASES.length; i++) {
      const end = record.phaseEnd[i]!;
      if (end >= 0) m.phaseDuration.observe(rs.phase(i), (end - record.phaseStart[i]!) / 1000, ex);
    }
    m.requestBodySize.observe(rs.requestBody(method), ctx.bytesIn);
    m.responseBodySize.observe(rs.responseBody(method), ctx.bytesOut);
    m.activeRequests.dec();

    if (record.sampled || errorType !== '') {
      const phaseSpans = ctx.route?.phaseSpans ?? ctx.runtime.config.telemetry.phaseSpans;
      const done = finishedRequest(ctx, record, errorType, phaseSpans, newSpanId);
      if (record.sampled && this.#tracer !== undefined) materialise(this.#tracer, done, record.parentContext);
      this.#recent?.add(done);
    }
    writeAccessLog(
      this.#log,
      ctx,
      record,
      errorType,
      now - ctx.startedAt,
      this.#keepWarnings(),
      this.#otelLogger,
    );
  }
}

function exemplar(record: RequestRecord, spanId: string): { trace_id: string; span_id: string } {
  return { trace_id: record.traceId, span_id: spanId };
}
