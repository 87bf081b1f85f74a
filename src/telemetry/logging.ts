/**
 * The process logger: pino, JSON lines on stdout, and the same records
 * exported as OTLP log records when an OTLP endpoint is configured. Records
 * that carry trace_id/span_id/trace_flags are attached to that span context,
 * so the backend links them to the trace. Every serialized line passes the
 * process's secret scrubber (security/redact.ts) before either destination
 * sees it.
 */
import { type Logger as OtelLogger, ROOT_CONTEXT, SeverityNumber, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

/** The `msg` of access records; they reach OTLP directly (request-log.ts), not through the bridge. */
export const ACCESS_MSG = 'access';
const ACCESS_MARK = `"msg":"${ACCESS_MSG}"`;

/** OTel severity of a pino level label. */
export function severityOf(level: string): SeverityNumber {
  return SEVERITY[level] ?? SeverityNumber.UNSPECIFIED;
}

/**
 * A pino destination that re-emits each serialized record through the OTel Logs
 * API (process records: start-up, reloads, errors). Access records are skipped:
 * the request path emits them itself without re-parsing its own JSON.
 */
export function otlpLogDestination(otel: OtelLogger): DestinationStream {
  return {
    write(line: string) {
      if (line.includes(ACCESS_MARK)) return;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const { level, time, msg, trace_id, span_id, trace_flags, ...attributes } = record;
      const context =
        typeof trace_id === 'string' && typeof span_id === 'string'
          ? trace.setSpanContext(ROOT_CONTEXT, {
              traceId: trace_id,
              spanId: span_id,
              traceFlags: Number.parseInt(String(trace_flags ?? '0'), 16) || 0,
              isRemote: false,
            })
          : undefined;
      otel.emit({
        severityNumber: SEVERITY[String(level)] ?? SeverityNumber.UNSPECIFIED,
        severityText: String(level).toUpperCase(),
        body: typeof msg === 'string' ? msg : '',
        timestamp: typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date(),
        attributes: attributes as Record<string, string | number | boolean>,
        ...(context ? { context } : {}),
      });
    },
  };
}

/**
 * pino's isoTime, formatted once per millisecond: under load many records share
 * a millisecond, and Date#toISOString was a visible cost per access record.
 */
let lastMs = -1;
let lastTime = '';
function isoTimeCached(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** pino writes `msg` last: an access record's line ends with this. */
const ACCESS_END = `${ACCESS_MARK}}\n`;

/**
 * The scrubber for every line except access records: those are built from a
 * fixed field list (request-log.ts) in which no config value that can be secret
 * appears (`upstream` is the endpoint's host:port), and they are the one
 * record per sampled request, where a search per secret would cost ~1 µs.
 */
function skipAccess(scrub: (line: string) => string): (line: string) => string {
  return (line) => (line.endsWith(ACCESS_END) ? line : scrub(line));
}

export function createLogger(
  level: string,
  options: {
    destination?: DestinationStream;
    otel?: OtelLogger | undefined;
    /** Applied to each serialized line before it is written anywhere. */
    scrub?: ((line: string) => string) | undefined;
  } = {},
): Logger {
  const stdout = options.destination ?? pino.destination({ fd: 1, sync: false });
  const destination =
    options.otel && level !== 'silent'
      ? pino.multistream([
          { level: level as pino.Level, stream: stdout },
          { level: level as pino.Level, stream: otlpLogDestination(options.otel) },
        ])
      : stdout;
  return pino(
    {
      level,
      base: { service: 'sidelight' },
      timestamp: isoTimeCached,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.scrub === undefined ? {} : { hooks: { streamWrite: skipAccess(options.scrub) } }),
    },
    destination,
  );
}
