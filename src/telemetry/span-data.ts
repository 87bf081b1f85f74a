/**
 * A finished request's spans as plain data, built once from its record when
 * it ends, and only for requests that are sampled or failed. The same data
 * becomes SDK spans (materialise.ts) and the /debug/traces waterfall
 * (recent-traces.ts), so the two can never disagree. Names and attributes
 * follow the HTTP semantic conventions and DESIGN.md's span tree:
 *
 *   SERVER  {method} {http.route}
 *     INTERNAL sidelight.accept | route | auth | rate_limit | upstream | respond | finish
 *              (phase spans, contiguous: they tile the SERVER span)
 *     CLIENT   {method}, one per upstream attempt, with pool, connect and
 *              first-byte events and an `exception` event when it failed
 */
import { type Attributes, SpanKind } from '@opentelemetry/api';
import type { RequestContext } from '../pipeline/context.ts';
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
  EVENT_EXCEPTION,
  EVENT_FIRST_BYTE,
  EVENT_POOL_ACQUIRED,
  normalizeMethod,
} from './attributes.ts';
import { type AttemptRecord, FINISH, PHASES, type RequestRecord } from './request-record.ts';

export interface SpanEventData {
  readonly name: string;
  /** performance.now() reading. */
  readonly at: number;
  readonly attributes?: Attributes;
}

export interface SpanData {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanId: string;
  /** The SERVER span's parent is the remote one (or none). */
  readonly parentSpanId: string | undefined;
  readonly start: number;
  readonly end: number;
  readonly attributes: Attributes;
  readonly events: readonly SpanEventData[];
  readonly error: boolean;
  readonly statusMessage: string | undefined;
}

/** A finished request as telemetry keeps it: no reference to the request's objects. */
export interface FinishedRequest {
  readonly traceId: string;
  readonly requestId: string;
  readonly sampled: boolean;
  readonly server: SpanData;
  /** Phase spans (when on) and CLIENT spans, in start order. */
  readonly children: readonly SpanData[];
  readonly status: number;
  readonly errorType: string;
  /** What failed, for a person (the failure's message with its detail), if anything did. */
  readonly errorMessage: string | undefined;
  readonly durationMs: number;
  /** Epoch ms of the request's start. */
  readonly startedAt: number;
  readonly routeTemplate: string;
}

/** `server.address`/`server.port` of a SERVER span: the Host header (semconv), `[v6]:port` aware. */
function hostAndPort(host: string | undefined): { address: string; port: number | undefined } | undefined {
  if (host === undefined || host === '') return undefined;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (m === null) return undefined;
  const address = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { address, port: m[2] === undefined ? undefined : Number(m[2]) };
}

function spanNameOf(method: string, template: string | undefined): string {
  const name = method === '_OTHER' ? 'HTTP' : method;
  return template === undefined ? name : `${name} ${template}`;
}

/**
 * SERVER spans are errors on 5xx (semconv), and when the response was cut
 * after its head by a failure that is not the client's (upstream reset or
 * timeout mid-body): the status line said 2xx, the body never completed.
 */
function serverSpanIsError(ctx: RequestContext): boolean {
  return ctx.status >= 500 || ctx.cutAfterHead;
}

function serverAttributes(ctx: RequestContext, method: string, errorType: string): Attributes {
  const req = ctx.req;
  const attrs: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: ctx.path,
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_CLIENT_ADDRESS]: ctx.peerAddress,
    [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    [ATTR_SIDELIGHT_REQUEST_ID]: ctx.requestId,
    [ATTR_SIDELIGHT_CONFIG_GENERATION]: ctx.runtime.generation,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: ctx.status,
    [ATTR_HTTP_REQUEST_BODY_SIZE]: ctx.bytesIn,
    [ATTR_HTTP_RESPONSE_BODY_SIZE]: ctx.bytesOut,
  };
  if (method === '_OTHER' && req.method) attrs[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = req.method;
  const ua = req.headers['user-agent'];
  if (ua !== undefined) attrs[ATTR_USER_AGENT_ORIGINAL] = ua;
  const host = hostAndPort(req.headers.host);
  if (host !== undefined) {
    attrs[ATTR_SERVER_ADDRESS] = host.address;
    if (host.port !== undefined) attrs[ATTR_SERVER_PORT] = host.port;
  }
  if (ctx.route !== undefined) {
    attrs[ATTR_HTTP_ROUTE] = ctx.route.template;
    attrs[ATTR_SIDELIGHT_ROUTE_NAME] = ctx.route.name;
  }
  if (errorType !== '') attrs[ATTR_ERROR_TYPE] = errorType;
  return attrs;
}

function clientSpan(a: AttemptRecord, method: string, serverSpanId: string): SpanData {
  const attrs: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_SERVER_ADDRESS]: a.endpoint.hostname,
    [ATTR_SERVER_PORT]: a.endpoint.port,
    [ATTR_URL_FULL]: `${a.endpoint.origin}${a.target}`,
  };
  if (a.resendCount > 0) attrs[ATTR_HTTP_REQUEST_RESEND_COUNT] = a.resendCount;
  if (a.status > 0) attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = a.status;
  const errorType = a.reason ?? (a.status >= 400 ? String(a.status) : '');
  if (errorType !== '') attrs[ATTR_ERROR_TYPE] = errorType;
  const events: SpanEventData[] = [];
  if (a.poolAcquired >= 0) events.push({ name: EVENT_POOL_ACQUIRED, at: a.poolAcquired });
  if (a.connectStart >= 0) {
    events.push({ name: EVENT_CONNECT_START, at: a.connectStart });
    events.push({ name: EVENT_CONNECT_END, at: a.connectEnd });
  }
  if (a.firstByte >= 0) events.push({ name: EVENT_FIRST_BYTE, at: a.firstByte });
  const end = a.end >= 0 ? a.end : a.start;
  if (a.reason !== undefined) {
    // semconv's exception event: what failed, in the failure's own words (ECONNREFUSED ...).
    const attributes: Attributes = { 'exception.type': a.errorCode ?? a.reason };
    if (a.errorMessage !== undefined) attributes['exception.message'] = a.errorMessage;
    events.push({ name: EVENT_EXCEPTION, at: end, attributes });
  }
  return {
    name: method === '_OTHER' ? 'HTTP' : method,
    kind: SpanKind.CLIENT,
    spanId: a.spanId,
    parentSpanId: serverSpanId,
    start: a.start,
    end,
    attributes: attrs,
    events,
    // CLIENT spans are errors on 4xx and 5xx too (semconv), and on any failure.
    error: errorType !== '',
    statusMessage: a.reason,
  };
}

function phaseSpan(record: RequestRecord, i: number, spanId: string): SpanData {
  const failed = record.failedPhase === i;
  return {
    name: `sidelight.${PHASES[i]}`,
    kind: SpanKind.INTERNAL,
    spanId,
    parentSpanId: record.spanId,
    start: record.phaseStart[i]!,
    end: record.phaseEnd[i]!,
    attributes: failed ? { [ATTR_ERROR_TYPE]: record.failedReason! } : {},
    events: [],
    error: failed,
    statusMessage: failed ? record.failedReason : undefined,
  };
}

/** The finished request's spans; `newSpanId` names the phase spans (CLIENT and SERVER ids exist already). */
export function finishedRequest(
  ctx: RequestContext,
  record: RequestRecord,
  errorType: string,
  phaseSpans: boolean,
  newSpanId: () => string,
): FinishedRequest {
  const method = normalizeMethod(ctx.req.method);
  const end = record.phaseEnd[FINISH]!;
  const error = serverSpanIsError(ctx);
  const errorMessage = ctx.error?.message;
  const server: SpanData = {
    name: spanNameOf(method, ctx.route?.template),
    kind: SpanKind.SERVER,
    spanId: record.spanId,
    parentSpanId: record.remoteParent?.spanId,
    start: ctx.startedAt,
    end,
    attributes: serverAttributes(ctx, method, errorType),
    events: [],
    error,
    statusMessage: error ? ctx.error?.reason : undefined,
  };
  const children: SpanData[] = [];
  for (let i = 0; i < PHASES.length; i++) {
    if (!phaseSpans || record.phaseEnd[i]! < 0) continue;
    children.push(phaseSpan(record, i, newSpanId()));
  }
  for (const a of record.attempts) children.push(clientSpan(a, method, record.spanId));
  children.sort((a, b) => a.start - b.start);
  return {
    traceId: record.traceId,
    requestId: ctx.requestId,
    sampled: record.sampled,
    server,
    children,
    status: ctx.status,
    errorType,
    errorMessage: errorType === '' ? undefined : errorMessage,
    durationMs: end - ctx.startedAt,
    startedAt: performance.timeOrigin + ctx.startedAt,
    routeTemplate: ctx.route?.template ?? 'unmatched',
  };
}
