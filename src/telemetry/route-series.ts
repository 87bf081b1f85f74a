/**
 * Histogram series resolved per route, so an observation on the hot path is
 * an array slot or one numeric-key Map read, never a label lookup (issue
 * #10). A runtime's routes get their RouteSeries at provision; each slot
 * resolves its series on first use (a 5,000-route table would otherwise hold
 * and expose hundreds of thousands of series nobody asked for) and keeps it.
 * Slots of a reloaded route with the same template resolve to the same
 * series, so counts carry across reloads; series of routes a reload removed
 * are dropped from `/metrics` when the runtime that had them retires.
 */
import { ALL_REASONS, type ProxyError } from '../pipeline/errors.ts';
import { KNOWN_METHODS } from './attributes.ts';
import type { HistogramSeries } from './histogram.ts';
import type { Metrics } from './metrics.ts';
import { PHASES } from './request-record.ts';

/** semconv's methods, then `_OTHER`; a method's index picks its slot. */
const METHODS = [...KNOWN_METHODS, '_OTHER'] as const;
const OTHER = METHODS.length - 1;
const METHOD_INDEX = new Map<string, number>(METHODS.map((m, i) => [m, i]));
const REASON_KEY = new Map<string, number>(ALL_REASONS.map((r, i) => [r, i + 1]));

/** Slot of a request method (`_OTHER` for anything semconv does not list). */
export function methodIndex(method: string | undefined): number {
  return method === undefined ? OTHER : (METHOD_INDEX.get(method) ?? OTHER);
}

class MethodSeries {
  requestBody: HistogramSeries | undefined = undefined;
  responseBody: HistogramSeries | undefined = undefined;
  /** status * 64 + reason slot -> http_server_request_duration_seconds series. */
  readonly server = new Map<number, HistogramSeries>();
}

export class RouteSeries {
  readonly #metrics: Metrics;
  readonly template: string;
  readonly #phases: (HistogramSeries | undefined)[] = new Array(PHASES.length).fill(undefined);
  readonly #methods: (MethodSeries | undefined)[] = new Array(METHODS.length).fill(undefined);

  constructor(metrics: Metrics, template: string) {
    this.#metrics = metrics;
    this.template = template;
  }

  phase(i: number): HistogramSeries {
    let s = this.#phases[i];
    if (s === undefined) {
      const phase = PHASES[i]!;
      s = this.#metrics.phaseDuration.series(`${phase}\0${this.template}`, () => ({
        phase,
        http_route: this.template,
      }));
      this.#phases[i] = s;
    }
    return s;
  }

  #method(m: number): MethodSeries {
    let s = this.#methods[m];
    if (s === undefined) {
      s = new MethodSeries();
      this.#methods[m] = s;
    }
    return s;
  }

  /** `errorType` must be what `error` and `status` give (attributes.ts errorTypeOf). */
  server(m: number, status: number, error: ProxyError | undefined, errorType: string): HistogramSeries {
    const byKey = this.#method(m).server;
    const key = status * 64 + (error === undefined ? 0 : REASON_KEY.get(error.reason)!);
    let s = byKey.get(key);
    if (s === undefined) {
      const method = METHODS[m]!;
      s = this.#metrics.serverDuration.series(`${method}\0${this.template}\0${status}\0${errorType}`, () => ({
        http_request_method: method,
        http_route: this.template,
        http_response_status_code: status,
        error_type: errorType,
      }));
      byKey.set(key, s);
    }
    return s;
  }

  requestBody(m: number): HistogramSeries {
    const slot = this.#method(m);
    slot.requestBody ??= this.#body(this.#metrics.requestBodySize, m);
    return slot.requestBody;
  }

  responseBody(m: number): HistogramSeries {
    const slot = this.#method(m);
    slot.responseBody ??= this.#body(this.#metrics.responseBodySize, m);
    return slot.responseBody;
  }

  #body(h: Metrics['requestBodySize'], m: number): HistogramSeries {
    const method = METHODS[m]!;
    return h.series(`${method}\0${this.template}`, () => ({
      http_request_method: method,
      http_route: this.template,
    }));
  }
}

/** Drops the series of every route template not in `keep` from the per-route histograms. */
export function dropRouteSeries(metrics: Metrics, keep: ReadonlySet<string>): void {
  const gone = (labels: Readonly<Record<string, string | number>>) => !keep.has(String(labels.http_route));
  metrics.serverDuration.removeWhere(gone);
  metrics.phaseDuration.removeWhere(gone);
  metrics.requestBodySize.removeWhere(gone);
  metrics.responseBodySize.removeWhere(gone);
}
