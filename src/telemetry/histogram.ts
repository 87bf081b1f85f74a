/**
 * A histogram for the per-request hot path that plugs into prom-client's
 * Registry (same exposition, same OpenMetrics exemplars), but observes in
 * O(buckets) with no allocation: label sets resolve once to a series handle,
 * buckets are a Float64Array.
 *
 * Why not prom-client's Histogram: each of its observe() calls validates the
 * labels, hashes them to a string and looks the bucket up by a float-keyed
 * object property (number-to-string on every call). Measured by
 * bench/phase-runner.bench.ts, that was the largest single cost of telemetry
 * on an unsampled request (8 observations per request). Every other metric
 * stays a plain prom-client metric.
 */
import type { Registry } from 'prom-client';

export interface Exemplar {
  trace_id: string;
  span_id: string;
}

/** One label set's counts. Obtain with `histogram.series(...)` and keep it. */
export class HistogramSeries {
  readonly labels: Readonly<Record<string, string | number>>;
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** Latest exemplar per bucket (OpenMetrics keeps one per bucket). */
  readonly exemplars: ({ labelSet: Exemplar; value: number; timestamp: number } | undefined)[];

  constructor(labels: Record<string, string | number>, buckets: number) {
    this.labels = labels;
    this.counts = new Float64Array(buckets + 1);
    this.exemplars = new Array(buckets + 1).fill(undefined);
  }
}

export interface HistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
  registers: Registry<
    'application/openmetrics-text; version=1.0.0; charset=utf-8' | 'text/plain; version=0.0.4; charset=utf-8'
  >[];
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  exemplar?: { labelSet: Exemplar; value: number; timestamp: number };
}

export class FastHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly L[];
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(options: HistogramOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.#buckets = [...options.buckets].sort((a, b) => a - b);
    for (const r of options.registers) r.registerMetric(this as never);
  }

  /**
   * The series for a label set. `key` must identify the label values uniquely
   * (callers build it from the same values); `labels` is used only on creation.
   */
  series(key: string, labels: () => Record<L, string | number>): HistogramSeries {
    let s = this.#series.get(key);
    if (s === undefined) {
      s = new HistogramSeries(labels(), this.#buckets.length);
      this.#series.set(key, s);
    }
    return s;
  }

  /**
   * Counts `value` into `series`. NaN is refused (returns false): it would
   * land in +Inf and turn `_sum` into NaN for good.
   */
  observe(series: HistogramSeries, value: number, exemplar?: Exemplar): boolean {
    if (Number.isNaN(value)) return false;
    const buckets = this.#buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
    if (exemplar !== undefined) {
      series.exemplars[i] = { labelSet: exemplar, value, timestamp: Date.now() / 1000 };
    }
    return true;
  }

  /** Removes every series whose labels match (routes a reload removed). */
  removeWhere(match: (labels: Readonly<Record<string, string | number>>) => boolean): void {
    for (const [key, s] of this.#series) if (match(s.labels)) this.#series.delete(key);
  }

  /** prom-client's metric contract: the exposition values. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: MetricValue[];
  }> {
    const values: MetricValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.#buckets.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.#buckets.length ? this.#buckets[i]! : '+Inf';
        const v: MetricValue = { labels: { le, ...s.labels }, value: cumulative, metricName: bucketName };
        const ex = s.exemplars[i];
        if (ex !== undefined) v.exemplar = ex;
        values.push(v);
      }
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series.clear();
  }
}
