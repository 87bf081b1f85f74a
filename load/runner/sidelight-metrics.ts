/**
 * What the runner reads from Sidelight's own `/metrics` (classic text format):
 * requests counted, the phase histogram, config reloads, RSS and CPU. Two
 * snapshots, before and after a run, give that run's share.
 */

export interface Histogram {
  /** Cumulative counts by upper bound (seconds), ascending; the last is +Inf. */
  buckets: [le: number, count: number][];
  sum: number;
  count: number;
}

export interface MetricsSnapshot {
  /** Sum of `http_server_request_duration_seconds_count` over all series. */
  requestsCounted: number;
  /** `sidelight_phase_duration_seconds` by phase, summed over routes. */
  phases: Record<string, Histogram>;
  reloadsApplied: number;
  reloadsRejected: number;
  generation: number;
  rssBytes: number;
  cpuSeconds: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): MetricsSnapshot {
  const snap: MetricsSnapshot = {
    requestsCounted: 0,
    phases: {},
    reloadsApplied: 0,
    reloadsRejected: 0,
    generation: 0,
    rssBytes: 0,
    cpuSeconds: 0,
  };
  const phaseBuckets: Record<string, Map<number, number>> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, name, rawLabels = '', rawValue] = m;
    const value = Number(rawValue);
    const labels: Record<string, string> = {};
    for (const l of rawLabels.matchAll(LABEL)) labels[l[1]!] = l[2]!;
    switch (name) {
      case 'http_server_request_duration_seconds_count':
        snap.requestsCounted += value;
        break;
      case 'sidelight_phase_duration_seconds_bucket': {
        const phase = labels.phase ?? '';
        const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
        const map = phaseBuckets[phase] ?? new Map<number, number>();
        phaseBuckets[phase] = map;
        map.set(le, (map.get(le) ?? 0) + value);
        break;
      }
      case 'sidelight_phase_duration_seconds_sum':
        phaseOf(snap, labels.phase ?? '').sum += value;
        break;
      case 'sidelight_phase_duration_seconds_count':
        phaseOf(snap, labels.phase ?? '').count += value;
        break;
      case 'sidelight_config_reloads_total':
        if (labels.result === 'applied') snap.reloadsApplied = value;
        if (labels.result === 'rejected') snap.reloadsRejected = value;
        break;
      case 'sidelight_config_generation':
        snap.generation = value;
        break;
      case 'process_resident_memory_bytes':
        snap.rssBytes = value;
        break;
      case 'process_cpu_seconds_total':
        snap.cpuSeconds = value;
        break;
    }
  }
  for (const [phase, map] of Object.entries(phaseBuckets)) {
    phaseOf(snap, phase).buckets = [...map.entries()].sort((a, b) => a[0] - b[0]);
  }
  return snap;
}

function phaseOf(snap: MetricsSnapshot, phase: string): Histogram {
  snap.phases[phase] ??= { buckets: [], sum: 0, count: 0 };
  return snap.phases[phase];
}

export async function scrapeMetrics(adminUrl: string): Promise<MetricsSnapshot> {
  const res = await fetch(new URL('/metrics', adminUrl));
  if (!res.ok) throw new Error(`${adminUrl}/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** `after - before` for counters and histograms; gauges (generation, RSS) are taken from `after`. */
export function metricsDelta(before: MetricsSnapshot, after: MetricsSnapshot): MetricsSnapshot {
  const phases: Record<string, Histogram> = {};
  for (const [phase, h] of Object.entries(after.phases)) {
    const b = before.phases[phase];
    const prior = new Map(b?.buckets ?? []);
    phases[phase] = {
      buckets: h.buckets.map(([le, c]) => [le, c - (prior.get(le) ?? 0)]),
      sum: h.sum - (b?.sum ?? 0),
      count: h.count - (b?.count ?? 0),
    };
  }
  return {
    requestsCounted: after.requestsCounted - before.requestsCounted,
    phases,
    reloadsApplied: after.reloadsApplied - before.reloadsApplied,
    reloadsRejected: after.reloadsRejected - before.reloadsRejected,
    generation: after.generation,
    rssBytes: after.rssBytes,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}

/**
 * The q-quantile (0..1) of a cumulative histogram, interpolated linearly
 * inside the bucket it falls in (what PromQL's histogram_quantile does);
 * NaN when empty. In the +Inf bucket it answers the largest finite bound.
 */
export function histogramQuantile(q: number, h: Histogram): number {
  const total = h.buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of h.buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
