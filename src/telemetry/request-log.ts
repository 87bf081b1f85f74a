/**
 * Logs that follow the trace: a record inside a request carries trace_id,
 * span_id and trace_flags, and is written only when the trace is sampled
 * (warnings and errors can be kept regardless: `telemetry.keepWarnings`).
 * So an unsampled request costs no log work at all. One access-log record
 * per request.
 */
import { type Logger as OtelLogger, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';
import { errorTypeOf, UNMATCHED_ROUTE } from './attributes.ts';
import { ACCESS_MSG, severityOf } from './logging.ts';

/** Level of the access record: 5xx and proxy failures are warnings, internal errors errors. */
function accessLevel(ctx: RequestContext): 'info' | 'warn' | 'error' {
  if (ctx.error?.reason === 'internal_error') return 'error';
  if (ctx.status >= 500) return 'warn';
  return 'info';
}

export function writeAccessLog(
  log: Logger,
  ctx: RequestContext,
  sampled: boolean,
  keepWarnings: boolean,
  span: { traceId: string; spanId: string; traceFlags: number },
  durationMs: number,
  otel: OtelLogger | undefined,
): void {
  const level = accessLevel(ctx);
  if (!sampled && !(keepWarnings && level !== 'info')) return;
  if (!log.isLevelEnabled(level)) return;
  const fields = {
    request_id: ctx.requestId,
    method: ctx.req.method,
    route: ctx.route?.template ?? UNMATCHED_ROUTE,
    route_name: ctx.route?.name,
    status: ctx.status,
    reason: errorTypeOf(ctx) || undefined,
    duration_ms: Math.round(durationMs * 1000) / 1000,
    bytes_in: ctx.bytesIn,
    bytes_out: ctx.bytesOut,
    upstream: ctx.endpoint || undefined,
    attempts: ctx.attempts,
    client: ctx.peerAddress,
  };
  log[level](
    {
      trace_id: span.traceId,
      span_id: span.spanId,
      trace_flags: `0${span.traceFlags.toString(16)}`,
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
    context: trace.setSpanContext(ROOT_CONTEXT, { ...span, isRemote: false }),
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
