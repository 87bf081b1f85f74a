/**
 * The in-process recent-trace buffer: the last N sampled traces, plus the
 * slowest and the failed ones, each with every span's timing relative to the
 * request's start. Admin `/debug/traces` serves it, so one slow request can be
 * debugged with no tracing backend at all. It is a SpanProcessor: it sees
 * only recording (sampled) spans, so it costs nothing on unsampled requests;
 * it keeps the finished spans as they are and builds summaries only when read.
 */
import { type Context, type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export interface SpanSummary {
  name: string;
  kind: string;
  span_id: string;
  parent_span_id: string | undefined;
  /** Milliseconds from the request's start. */
  start_ms: number;
  duration_ms: number;
  error: boolean;
  attributes: Record<string, unknown>;
  events: { name: string; at_ms: number }[];
}

export interface TraceSummary {
  trace_id: string;
  name: string;
  started_at: string;
  duration_ms: number;
  status_code: number | undefined;
  error_type: string | undefined;
  spans: SpanSummary[];
}

const KIND = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
/** Traces waiting for their SERVER span; bounded so a lost root cannot leak. */
const MAX_PENDING = 2_000;

const ms = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;
const round = (v: number): number => Math.round(v * 1000) / 1000;

function summarize(root: ReadableSpan, children: readonly ReadableSpan[]): TraceSummary {
  const t0 = ms(root.startTime);
  const all = [root, ...children].sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const status = root.attributes['http.response.status_code'];
  const errorType = root.attributes['error.type'];
  return {
    trace_id: root.spanContext().traceId,
    name: root.name,
    started_at: new Date(t0).toISOString(),
    duration_ms: round(ms(root.duration)),
    status_code: typeof status === 'number' ? status : undefined,
    error_type: typeof errorType === 'string' ? errorType : undefined,
    spans: all.map((s) => ({
      name: s.name,
      kind: KIND[s.kind] ?? String(s.kind),
      span_id: s.spanContext().spanId,
      parent_span_id: s.parentSpanContext?.spanId,
      start_ms: round(ms(s.startTime) - t0),
      duration_ms: round(ms(s.duration)),
      error: s.status.code === SpanStatusCode.ERROR,
      attributes: { ...s.attributes },
      events: s.events.map((e) => ({ name: e.name, at_ms: round(ms(e.time) - t0) })),
    })),
  };
}

/** A finished trace as kept: its SERVER span and the spans that ended before it. */
interface KeptTrace {
  readonly root: ReadableSpan;
  readonly children: readonly ReadableSpan[];
  readonly traceId: string;
  readonly durationMs: number;
}

export class RecentTraces implements SpanProcessor {
  readonly #capacity: number;
  readonly #keep: number;
  readonly #pending = new Map<string, ReadableSpan[]>();
  #recent: KeptTrace[] = [];
  #slowest: KeptTrace[] = [];
  #failed: KeptTrace[] = [];

  /** `capacity` recent traces; the slowest and failed lists keep a fifth of that (at least 10). */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#keep = capacity === 0 ? 0 : Math.max(10, Math.ceil(capacity / 5));
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#capacity === 0) return;
    const traceId = span.spanContext().traceId;
    if (span.kind !== SpanKind.SERVER) {
      let list = this.#pending.get(traceId);
      if (list === undefined) {
        if (this.#pending.size >= MAX_PENDING) {
          const oldest = this.#pending.keys().next().value;
          if (oldest !== undefined) this.#pending.delete(oldest);
        }
        list = [];
        this.#pending.set(traceId, list);
      }
      list.push(span);
      return;
    }
    const children = this.#pending.get(traceId) ?? [];
    this.#pending.delete(traceId);
    this.#add({ root: span, children, traceId, durationMs: ms(span.duration) });
  }

  #add(t: KeptTrace): void {
    this.#recent.push(t);
    if (this.#recent.length > this.#capacity) this.#recent.shift();
    if (t.root.attributes['error.type'] !== undefined) {
      this.#failed.push(t);
      if (this.#failed.length > this.#keep) this.#failed.shift();
    }
    const slowest = this.#slowest;
    if (slowest.length < this.#keep || t.durationMs > slowest[slowest.length - 1]!.durationMs) {
      slowest.push(t);
      slowest.sort((a, b) => b.durationMs - a.durationMs);
      if (slowest.length > this.#keep) slowest.pop();
    }
  }

  /** Newest first. */
  snapshot(): { recent: TraceSummary[]; slowest: TraceSummary[]; failed: TraceSummary[] } {
    const view = (list: readonly KeptTrace[]) => list.map((t) => summarize(t.root, t.children));
    return {
      recent: view(this.#recent.toReversed()),
      slowest: view(this.#slowest),
      failed: view(this.#failed.toReversed()),
    };
  }

  find(traceId: string): TraceSummary | undefined {
    const t =
      this.#recent.find((k) => k.traceId === traceId) ??
      this.#slowest.find((k) => k.traceId === traceId) ??
      this.#failed.find((k) => k.traceId === traceId);
    return t === undefined ? undefined : summarize(t.root, t.children);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.#pending.clear();
  }
}
