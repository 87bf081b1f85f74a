/**
 * Logs that follow the trace: a record inside a request carries trace_id,
 * span_id and trace_flags, and is written only when the trace is sampled
 * (warnings and errors are kept regardless: `telemetry.keepWarnings`). So an
 * unsampled request that went well costs no log work at all. One access-log
 * record per request.
 */
import { type Logger as OtelLogger, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';
import { UNMATCHED_ROUTE } from './attributes.ts';
import { ACCESS_MSG, severityOf } from './logging.ts';
import type { RequestRecord } from './request-record.ts';

/**
 * Level of the access record: internal errors are errors; 5xx, and a response
 * cut after its head by a failure that is not the client's, are warnings.
 */
function accessLevel(ctx: RequestContext): 'info' | 'warn' | 'error' {
  if (ctx.error?.reason === 'internal_error') return 'error';
  if (ctx.status >= 500 || ctx.cutAfterHead) return 'warn';
  return 'info';
}

export function writeAccessLog(
  log: Logger,
  ctx: RequestContext,
  record: RequestRecord,
  errorType: string,
  durationMs: number,
  keepWarnings: boolean,
  otel: OtelLogger | undefined,
): void {
  const level = accessLevel(ctx);
  if (!record.sampled && !(keepWarnings && level !== 'info')) return;
  if (!log.isLevelEnabled(level)) return;
  const last = record.attempts[record.attempts.length - 1];
  const fields = {
    request_id: ctx.requestId,
    method: ctx.req.method,
    // The normalised path without its query (a query can carry anything); the template beside it.
    path: ctx.path || undefined,
    route: ctx.route?.template ?? UNMATCHED_ROUTE,
    route_name: ctx.route?.name,
    status: ctx.status,
    reason: errorType || undefined,
    // What failed, in words a person can act on: which timeout and its value, the upstream's error code.
    error: errorType === '' ? undefined : ctx.error?.message,
    error_code: last?.errorCode,
    duration_ms: Math.round(durationMs * 1000) / 1000,
    bytes_in: ctx.bytesIn,
    bytes_out: ctx.bytesOut,
    upstream: ctx.endpoint || undefined,
    attempts: ctx.attempts,
    client: ctx.peerAddress,
  };
  const traceFlags = record.sampled ? 1 : 0;
  log[level](
    {
      trace_id: record.traceId,
      span_id: record.spanId,
      trace_flags: `0${traceFlags}`,
      ...fields,
    },
    ACCESS_MSG,
  );
  // The same record over OTLP, from the object at hand (the pino bridge skips access records).
  otel?.emit({
    severityNumber: severityOf(level),
    severityText: level.toUpperCase(),
    body: ACCESS_MSG,
    attributes: { service: 'sidelight', ...dropUndefined(fields) },
    context: trace.setSpanContext(ROOT_CONTEXT, {
      traceId: record.traceId,
      spanId: record.spanId,
      traceFlags,
      isRemote: false,
    }),
  });
}

function dropUndefined(o: Record<string, string | number | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k in o) {
    const v = o[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
