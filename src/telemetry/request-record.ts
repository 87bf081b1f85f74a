/**
 * Telemetry as data (DESIGN.md, issue #10): while a request runs, telemetry
 * only writes plain fields here (ids, the sampling decision, phase
 * boundaries, attempt timing points, outcomes). Nothing else happens per
 * request until it ends: then a sampled request becomes SDK spans in one go
 * (materialise.ts), a failed one is kept for /debug/traces whether sampled or
 * not (recent-traces.ts), and every other record is simply dropped.
 *
 * The record sits in the request context's `observation` slot, which the
 * pipeline declares as an opaque object (pipeline/observer.ts).
 */
import type { Context, SpanContext } from '@opentelemetry/api';
import type { Endpoint } from '../upstream/cluster.ts';

/** Telemetry's phase timeline: the pipeline's phases, then finish (spans, metrics, access record). */
export const PHASES = ['accept', 'route', 'auth', 'rate_limit', 'upstream', 'respond', 'finish'] as const;
export type TimelinePhase = (typeof PHASES)[number];
export const PHASE_INDEX = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Readonly<
  Record<TimelinePhase, number>
>;
export const FINISH = PHASE_INDEX.finish;

/** One upstream attempt: its CLIENT span's facts, all performance.now() readings (-1: did not happen). */
export class AttemptRecord {
  readonly spanId: string;
  readonly endpoint: Endpoint;
  /** The path (and query) sent upstream, for `url.full`. */
  readonly target: string;
  /** 0 for the first try; `http.request.resend_count` on the others. */
  readonly resendCount: number;
  readonly start: number;
  end = -1;
  poolAcquired = -1;
  connectStart = -1;
  connectEnd = -1;
  firstByte = -1;
  status = 0;
  /** Catalogued reason when the attempt failed. */
  reason: string | undefined = undefined;
  /** The failure's own code (ECONNREFUSED, UND_ERR_SOCKET, ...) and message, for the exception event. */
  errorCode: string | undefined = undefined;
  errorMessage: string | undefined = undefined;

  constructor(spanId: string, endpoint: Endpoint, target: string, resendCount: number, start: number) {
    this.spanId = spanId;
    this.endpoint = endpoint;
    this.target = target;
    this.resendCount = resendCount;
    this.start = start;
  }
}

export class RequestRecord {
  /** The extracted incoming context (baggage included); ROOT_CONTEXT when none came. */
  readonly parentContext: Context;
  /** The valid incoming span context, if any. */
  readonly remoteParent: SpanContext | undefined;
  traceId: string;
  /** The SERVER span's id (also the parent id sent upstream when the trace is not sampled). */
  spanId = '';
  decided = false;
  sampled = false;
  /** Phase `i` ran from `phaseStart[i]` to `phaseEnd[i]` (performance.now(); -1: did not run). */
  readonly phaseStart = [-1, -1, -1, -1, -1, -1, -1];
  readonly phaseEnd = [-1, -1, -1, -1, -1, -1, -1];
  /** The phase that ended the pipeline with a local reply or failure, and its reason. */
  failedPhase = -1;
  failedReason: string | undefined = undefined;
  readonly attempts: AttemptRecord[] = [];
  /** The attempt in progress. */
  current: AttemptRecord | undefined = undefined;
  /** `traceresponse` value, built once. */
  traceResponse: string | undefined = undefined;

  constructor(parentContext: Context, remoteParent: SpanContext | undefined, traceId: string) {
    this.parentContext = parentContext;
    this.remoteParent = remoteParent;
    this.traceId = traceId;
  }
}
