/**
 * The in-process trace buffer behind admin `/debug/traces`: the last N
 * sampled requests, the slowest ones, and every failed request whether its
 * trace was sampled or not (issue #9: every failed request can be found).
 * It keeps finished requests as plain data (span-data.ts: the same data the
 * exported spans are made from) and builds the JSON waterfall only when read.
 * Lookup by trace id or by request id. Bounded by count: `capacity` recent,
 * and a fifth of that (at least 10) each for the slowest and the failed.
 */
import { SpanKind } from '@opentelemetry/api';
import type { FinishedRequest, SpanData } from './span-data.ts';

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
  events: { name: string; at_ms: number; attributes?: Record<string, unknown> }[];
}

export interface TraceSummary {
  trace_id: string;
  request_id: string;
  /** Whether the trace was sampled (and so exported); failed requests are kept either way. */
  sampled: boolean;
  name: string;
  started_at: string;
  duration_ms: number;
  status_code: number;
  error_type: string | undefined;
  error_message: string | undefined;
  spans: SpanSummary[];
}

const KIND: Record<number, string> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
};
const round = (v: number): number => Math.round(v * 1000) / 1000;

function spanSummary(s: SpanData, t0: number): SpanSummary {
  return {
    name: s.name,
    kind: KIND[s.kind] ?? String(s.kind),
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    start_ms: round(s.start - t0),
    duration_ms: round(s.end - s.start),
    error: s.error,
    attributes: { ...s.attributes },
    events: s.events.map((e) => ({
      name: e.name,
      at_ms: round(e.at - t0),
      ...(e.attributes === undefined ? {} : { attributes: { ...e.attributes } }),
    })),
  };
}

export function summarize(r: FinishedRequest): TraceSummary {
  const t0 = r.server.start;
  return {
    trace_id: r.traceId,
    request_id: r.requestId,
    sampled: r.sampled,
    name: r.server.name,
    started_at: new Date(r.startedAt).toISOString(),
    duration_ms: round(r.durationMs),
    status_code: r.status,
    error_type: r.errorType === '' ? undefined : r.errorType,
    error_message: r.errorMessage,
    spans: [r.server, ...r.children].map((s) => spanSummary(s, t0)),
  };
}

export class RecentTraces {
  readonly #capacity: number;
  readonly #keep: number;
  #recent: FinishedRequest[] = [];
  #slowest: FinishedRequest[] = [];
  #failed: FinishedRequest[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#keep = capacity === 0 ? 0 : Math.max(10, Math.ceil(capacity / 5));
  }

  /** Whether anything is kept at all (`telemetry.recentTraces: 0` turns the buffer off). */
  get enabled(): boolean {
    return this.#capacity > 0;
  }

  add(r: FinishedRequest): void {
    if (this.#capacity === 0) return;
    if (r.sampled) {
      this.#recent.push(r);
      if (this.#recent.length > this.#capacity) this.#recent.shift();
    }
    if (r.errorType !== '') {
      this.#failed.push(r);
      if (this.#failed.length > this.#keep) this.#failed.shift();
    }
    const slowest = this.#slowest;
    if (slowest.length < this.#keep || r.durationMs > slowest[slowest.length - 1]!.durationMs) {
      slowest.push(r);
      slowest.sort((a, b) => b.durationMs - a.durationMs);
      if (slowest.length > this.#keep) slowest.pop();
    }
  }

  /** Newest first. */
  snapshot(): { recent: TraceSummary[]; slowest: TraceSummary[]; failed: TraceSummary[] } {
    return {
      recent: this.#recent.toReversed().map(summarize),
      slowest: this.#slowest.map(summarize),
      failed: this.#failed.toReversed().map(summarize),
    };
  }

  /** One request by its trace id or its request id. */
  find(id: { traceId?: string; requestId?: string }): TraceSummary | undefined {
    const match = (r: FinishedRequest): boolean =>
      (id.traceId !== undefined && r.traceId === id.traceId) ||
      (id.requestId !== undefined && r.requestId === id.requestId);
    const r = this.#recent.findLast(match) ?? this.#failed.findLast(match) ?? this.#slowest.find(match);
    return r === undefined ? undefined : summarize(r);
  }
}
