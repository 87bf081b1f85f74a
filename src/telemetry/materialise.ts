/**
 * A sampled request's spans, made real SDK spans in one go when it ends and
 * handed to the SDK's processors (batch export over OTLP) as any span would
 * be: no hand-written exporter, no second tracing library. Ids were chosen
 * while the request ran (trace-ids.ts); PRESET_IDS gives them to the SDK's
 * tracer. Children end before their SERVER span, as they would live.
 */
import {
  type Context,
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { hrTimeOf } from './clock.ts';
import type { FinishedRequest, SpanData } from './span-data.ts';
import { PRESET_IDS } from './trace-ids.ts';

function emit(tracer: Tracer, traceId: string, data: SpanData, parent: Context): void {
  PRESET_IDS.preset(traceId, data.spanId);
  const span = tracer.startSpan(
    data.name,
    { kind: data.kind, startTime: hrTimeOf(data.start), attributes: data.attributes },
    parent,
  );
  PRESET_IDS.clear();
  for (const e of data.events) span.addEvent(e.name, e.attributes ?? {}, hrTimeOf(e.at));
  if (data.error) {
    span.setStatus(
      data.statusMessage === undefined
        ? { code: SpanStatusCode.ERROR }
        : { code: SpanStatusCode.ERROR, message: data.statusMessage },
    );
  }
  span.end(hrTimeOf(data.end));
}

/** `parent` is the request's incoming context (remote parent and baggage), or ROOT_CONTEXT. */
export function materialise(tracer: Tracer, done: FinishedRequest, parent: Context): void {
  const serverContext = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: done.traceId,
    spanId: done.server.spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
  });
  for (const child of done.children) emit(tracer, done.traceId, child, serverContext);
  emit(tracer, done.traceId, done.server, parent);
}
