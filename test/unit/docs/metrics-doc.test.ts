/**
 * docs/metrics.md lists every metric src/telemetry/metrics.ts declares, with
 * the same type, labels and unit: a metric added, removed or relabelled in the
 * code fails here until the page says so.
 */
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, SIDELIGHT_METRIC_NAMES } from '../../../src/telemetry/metrics.ts';
import { code, codeList, readTable } from './doc-table.ts';

interface Declared {
  name: string;
  type: string;
  labels: string[];
}

/** What the code declares: the registry's metrics minus prom-client's default collectors. */
function declared(): Declared[] {
  const defaults = new client.Registry();
  client.collectDefaultMetrics({ register: defaults });
  const defaultNames = new Set(defaults.getMetricsAsArray().map((m) => m.name));
  return createMetrics()
    .registry.getMetricsAsArray()
    .filter((m) => !defaultNames.has(m.name))
    .map((m) => {
      const metric = m as unknown as { name: string; type: string; labelNames: readonly string[] };
      return { name: metric.name, type: metric.type, labels: [...metric.labelNames] };
    });
}

/** The unit a base-unit name implies (Prometheus naming: unit suffix before `_total`). */
function unitOf(name: string): string | undefined {
  const m = /_(seconds|bytes)(?:_total)?$/.exec(name);
  return m?.[1];
}

const rows = readTable('metrics.md', ['Name', 'Type', 'Labels', 'Unit', 'Meaning']);
const documented = new Map(rows.map((r) => [code(r.Name!), r]));

describe('docs/metrics.md', () => {
  const metrics = declared();

  it('declares the metrics SIDELIGHT_METRIC_NAMES lists (the cardinality test relies on it)', () => {
    expect(metrics.map((m) => m.name).sort()).toEqual([...SIDELIGHT_METRIC_NAMES].sort());
  });

  it('documents every metric the code declares, and no other', () => {
    const inCode = metrics.map((m) => m.name).sort();
    expect({ missing: inCode.filter((n) => !documented.has(n)) }).toEqual({ missing: [] });
    expect({ extra: [...documented.keys()].filter((n) => !inCode.includes(n)) }).toEqual({ extra: [] });
    expect(rows).toHaveLength(documented.size); // no metric documented twice
  });

  it('gives each metric its type, labels and unit as declared', () => {
    for (const m of metrics) {
      const row = documented.get(m.name);
      if (row === undefined) continue; // reported by the test above
      expect({ name: m.name, type: row.Type }).toEqual({ name: m.name, type: m.type });
      expect({ name: m.name, labels: codeList(row.Labels!).sort() }).toEqual({
        name: m.name,
        labels: [...m.labels].sort(),
      });
      const unit = unitOf(m.name);
      if (unit !== undefined) expect({ name: m.name, unit: row.Unit }).toEqual({ name: m.name, unit });
      else expect(row.Unit, `${m.name} needs a unit`).not.toBe('');
      expect(row.Meaning!.length, `${m.name} needs a meaning`).toBeGreaterThan(20);
    }
  });
});
