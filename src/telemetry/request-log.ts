/**
 * Logs that follow the trace: a record inside a request carries trace_id,
 * span_id and trace_flags, and is written only when the trace is sampled
 * (warnings and errors can be kept regardless: `telemetry.keepWarnings`).
 * So an unsampled request costs no log work at all. One access-log record
 * per request.
 */
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';
import { errorTypeOf, UNMATCHED_ROUTE } from './attributes.ts';

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
  traceFields: { trace_id: string; span_id: string; trace_flags: string } | undefined,
  durationMs: number,
): void {
  const level = accessLevel(ctx);
  if (!sampled && !(keepWarnings && level !== 'info')) return;
  if (!log.isLevelEnabled(level)) return;
  log[level](
    {
      ...traceFields,
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
    },
    'access',
  );
}
