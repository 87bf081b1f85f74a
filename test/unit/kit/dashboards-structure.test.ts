/**
 * What Grafana's file provisioning needs from the committed dashboards, and
 * what keeps them honest: schema 42, no import-only `__inputs`, unique panel
 * ids, a grid inside 24 columns without overlaps, only provisioned datasource
 * uids, every `$variable` defined, and every Sidelight metric they chart
 * declared in src/telemetry/metrics.ts (or a documented process metric).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SIDELIGHT_METRIC_NAMES } from '../../../src/telemetry/metrics.ts';
import {
  allPanels,
  type DashboardJson,
  isBuiltIn,
  isExternalMetric,
  loadDashboards,
  metricNames,
  queriesOf,
  variableRefs,
} from '../../helpers/dashboards.ts';

const ROOT = new URL('../../../', import.meta.url);
const dashboards = [...loadDashboards()];
const provisioned = parse(
  readFileSync(new URL('dashboards/provisioning/datasources/sidelight.yaml', ROOT), 'utf8'),
) as {
  datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[];
};
const uids = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
const metricsDoc = readFileSync(new URL('docs/metrics.md', ROOT), 'utf8');

/** Every `datasource` object anywhere in a dashboard. */
function datasourceRefs(
  node: unknown,
  out: { type: string; uid: string }[] = [],
): { type: string; uid: string }[] {
  if (Array.isArray(node)) for (const n of node) datasourceRefs(n, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource' && v !== null && typeof v === 'object')
        out.push(v as { type: string; uid: string });
      else datasourceRefs(v, out);
    }
  }
  return out;
}

/** A Sidelight or prom-client default metric, by its exposed name (suffixes folded). */
function isDeclared(name: string): boolean {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  if ((SIDELIGHT_METRIC_NAMES as readonly string[]).includes(family)) return true;
  // Process metrics are listed by name (or name pattern) in docs/metrics.md's "Process metrics".
  const process = metricsDoc.slice(
    metricsDoc.indexOf('## Process metrics'),
    metricsDoc.indexOf('## Example queries'),
  );
  const patterns = [...process.matchAll(/`([a-z_*]+)(?:\{[a-z]+\})?`/g)].map(
    (m) => new RegExp(`^${m[1]!.replace(/\*/g, '[a-z0-9_]+')}$`),
  );
  return patterns.some((re) => re.test(family) || re.test(name));
}

describe.each(dashboards)('%s', (_file, d: DashboardJson) => {
  it('is schema version 42 with a uid and no import-only inputs', () => {
    expect(d.schemaVersion).toBe(42);
    expect(d.uid).toMatch(/^sidelight-[a-z-]+$/);
    expect(d).not.toHaveProperty('__inputs');
    expect(JSON.stringify(d)).not.toMatch(/\$\{DS_/);
  });

  it('has unique panel ids and a grid inside 24 columns without overlaps', () => {
    const panels = allPanels(d);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x, p.title).toBeGreaterThanOrEqual(0);
      expect(w, p.title).toBeGreaterThan(0);
      expect(h, p.title).toBeGreaterThan(0);
      expect(x + w, `${p.title} ends past column 24`).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });

  it('uses only provisioned datasource uids, with the matching type', () => {
    const refs = datasourceRefs(d);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(uids.has(ref.uid), `datasource uid ${ref.uid} is not provisioned`).toBe(true);
      expect(ref.type).toBe(uids.get(ref.uid));
    }
  });

  it('defines every $variable its queries and variables use', () => {
    const defined = new Set(d.templating.list.map((v) => v.name));
    const texts = [
      ...queriesOf(d).map((q) => q.expr),
      ...d.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
    ];
    const used = new Set(texts.flatMap(variableRefs).filter((n) => !isBuiltIn(n)));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(defined.has(name), `$${name} is used but not defined`).toBe(true);
    // And nothing is defined that no query uses.
    for (const name of defined) expect(used.has(name), `$${name} is defined but unused`).toBe(true);
  });

  it('charts only metrics Sidelight declares (or k6 / Collector metrics), each panel with a query', () => {
    for (const p of allPanels(d).filter((p) => p.type !== 'row')) {
      expect(p.targets?.length ?? 0, `${p.title} has no query`).toBeGreaterThan(0);
    }
    const names = queriesOf(d).flatMap((q) => metricNames(q.expr));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(isExternalMetric(name) || isDeclared(name), `${name} is not a declared metric`).toBe(true);
    }
  });
});

describe('Grafana provisioning', () => {
  it('links exemplars (trace_id) to Tempo, traces to Loki, and log trace ids back to Tempo', () => {
    const byUid = new Map(provisioned.datasources.map((d) => [d.uid, d]));
    expect(byUid.get('prometheus')?.jsonData?.exemplarTraceIdDestinations).toEqual([
      { name: 'trace_id', datasourceUid: 'tempo' },
    ]);
    expect(byUid.get('tempo')?.jsonData?.tracesToLogsV2).toMatchObject({
      datasourceUid: 'loki',
      filterByTraceID: true,
    });
    const derived = byUid.get('loki')?.jsonData?.derivedFields as {
      datasourceUid: string;
      matcherRegex: string;
    }[];
    expect(derived.map((f) => f.datasourceUid)).toEqual(['tempo', 'tempo']);
    expect(derived.some((f) => f.matcherRegex === 'trace_id')).toBe(true);
  });

  it('loads the dashboards from the folder compose mounts dashboards/json into', () => {
    const provider = parse(
      readFileSync(new URL('dashboards/provisioning/dashboards/sidelight.yaml', ROOT), 'utf8'),
    ) as {
      providers: { type: string; options: { path: string } }[];
    };
    const compose = readFileSync(new URL('compose/docker-compose.yml', ROOT), 'utf8');
    const [p] = provider.providers;
    expect(p?.type).toBe('file');
    expect(compose).toContain(`../dashboards/json:${p?.options.path}:ro`);
  });
});
