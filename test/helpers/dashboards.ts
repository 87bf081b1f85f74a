/**
 * Reading the committed dashboard JSON (dashboards/json/*.json) the way
 * Grafana does, for the kit tests: panels, their queries, the variables they
 * use, and the substitution Grafana performs before a query reaches
 * Prometheus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_JSON_DIR = fileURLToPath(new URL('../../dashboards/json/', import.meta.url));

export interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; query: string | { query: string }; datasource?: { uid: string } }[] };
  panels: PanelJson[];
  [key: string]: unknown;
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; exemplar?: boolean; datasource?: { type: string; uid: string } }[];
  panels?: PanelJson[];
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  exemplar: boolean;
}

/** Every committed dashboard, by file name. */
export function loadDashboards(): Map<string, DashboardJson> {
  const out = new Map<string, DashboardJson>();
  for (const file of readdirSync(DASHBOARD_JSON_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    out.set(file, JSON.parse(readFileSync(`${DASHBOARD_JSON_DIR}${file}`, 'utf8')) as DashboardJson);
  }
  return out;
}

/** Top-level panels and the panels inside collapsed rows. */
export function allPanels(d: DashboardJson): PanelJson[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function queriesOf(d: DashboardJson): PanelQuery[] {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      dashboard: d.uid,
      panel: p.title,
      refId: t.refId,
      expr: t.expr,
      exemplar: t.exemplar === true,
    })),
  );
}

/** `$name`, `${name}` and `[[name]]` references, Grafana's three forms. */
export function variableRefs(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g))
    names.add(m[1] ?? m[2] ?? m[3]!);
  return [...names];
}

/** Grafana's built-in variables (`$__rate_interval`, ...): defined without templating. */
export function isBuiltIn(name: string): boolean {
  return name.startsWith('__');
}

/** Replaces each `$name` with `values[name]`; throws on a variable without a value. */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g,
    (_, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c)!;
      const v = values[name];
      if (v === undefined) throw new Error(`no value for $${name} in ${expr}`);
      return v;
    },
  );
}

/** Metric names in a PromQL expression: every identifier directly followed by a `{` selector. */
export function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!))];
}

/** Metrics that come from outside Sidelight: k6 remote write and the Collector's own. */
export function isExternalMetric(name: string): boolean {
  return name.startsWith('k6_') || name.startsWith('otelcol_');
}
