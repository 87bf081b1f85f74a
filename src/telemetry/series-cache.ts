/**
 * Label values -> histogram series without building a key string, a label
 * object or a closure per observation: nested Maps keyed by the values the
 * hot path already holds (config strings, closed-set constants, status
 * numbers). Bounded because every label value comes from a closed set or from
 * config.
 */
import type { FastHistogram, HistogramSeries } from './histogram.ts';

type Value = string | number;
type Level = Map<Value, unknown>;

function descend(map: Level, key: Value): Level {
  let next = map.get(key) as Level | undefined;
  if (next === undefined) {
    next = new Map();
    map.set(key, next);
  }
  return next;
}

export class SeriesCache<L extends string> {
  readonly #h: FastHistogram<L>;
  readonly #root: Level = new Map();

  constructor(histogram: FastHistogram<L>) {
    this.#h = histogram;
  }

  /** Two-label histograms, values in label order. */
  get2(a: Value, b: Value): HistogramSeries {
    const level = descend(this.#root, a);
    const s = level.get(b) as HistogramSeries | undefined;
    return s ?? this.#create(level, b, [a, b]);
  }

  /** Four-label histograms, values in label order. */
  get4(a: Value, b: Value, c: Value, d: Value): HistogramSeries {
    const level = descend(descend(descend(this.#root, a), b), c);
    const s = level.get(d) as HistogramSeries | undefined;
    return s ?? this.#create(level, d, [a, b, c, d]);
  }

  #create(level: Level, last: Value, values: Value[]): HistogramSeries {
    const names = this.#h.labelNames;
    if (names.length !== values.length) throw new Error(`${this.#h.name} takes ${names.length} labels`);
    const labels = Object.fromEntries(names.map((n, i) => [n, values[i]!])) as Record<L, Value>;
    const series = this.#h.series(values.join('\0'), () => labels);
    level.set(last, series);
    return series;
  }
}
