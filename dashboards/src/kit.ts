/**
 * The small vocabulary every Sidelight dashboard is written in, on top of the
 * Grafana foundation SDK's typed builders: a query, a time series or stat
 * panel, a row, a dashboard. A panel for a new feature is one `timeseries({...})`
 * (or `stat`) call added to a row (dashboards/README.md); this file lays out
 * the grid (24 columns, left to right, wrapping), numbers the panels and
 * points every panel and query at the provisioned Prometheus, so none of
 * that is repeated per dashboard.
 */

import {
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasources.ts';

/** Grid width of a Grafana dashboard. */
export const GRID_COLUMNS = 24;

export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** Ask Prometheus for exemplars too (histogram bucket queries): Grafana links each to its trace. */
  readonly exemplar?: boolean;
}

export function query(expr: string, legend: string, options: { exemplar?: boolean } = {}): Query {
  return { expr, legend, exemplar: options.exemplar ?? false };
}

export interface PanelSpec {
  readonly kind: 'timeseries' | 'stat';
  readonly title: string;
  /** The question the panel answers; Grafana shows it on hover. */
  readonly description: string;
  /** A Grafana unit id: `reqps`, `s`, `percentunit`, `bytes`, `short`, ... */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Columns (of 24); default 12 for a time series, 6 for a stat. */
  readonly width?: number;
  /** Grid rows; default 8 for a time series, 4 for a stat. */
  readonly height?: number;
  /** Stack the series (parts of one whole, e.g. time per phase). */
  readonly stacked?: boolean;
}

type PanelOptions = Omit<PanelSpec, 'kind'>;

export function timeseries(spec: PanelOptions): PanelSpec {
  return { kind: 'timeseries', ...spec };
}

export function stat(spec: PanelOptions): PanelSpec {
  return { kind: 'stat', ...spec };
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** A Prometheus `label_values(...)` query. */
  readonly query: string;
  /** Multi-select with "All" (`.*`); single select otherwise. */
  readonly multi: boolean;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariableSpec[];
  readonly rows: readonly RowSpec[];
  /** Default time range, e.g. `now-1h`. */
  readonly from?: string;
}

/** Every Sidelight dashboard carries this tag; the dashboards link to each other through it. */
export const SIDELIGHT_TAG = 'sidelight';

function target(q: Query, index: number): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .datasource(PROMETHEUS)
    .expr(q.expr)
    .legendFormat(q.legend)
    .range();
  return q.exemplar ? b.exemplar(true) : b;
}

function panel(spec: PanelSpec, id: number, x: number, y: number, w: number, h: number) {
  const legend = new VizLegendOptionsBuilder()
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom)
    .showLegend(true);
  const b =
    spec.kind === 'stat'
      ? new StatPanelBuilder()
          .graphMode(BigValueGraphMode.Area)
          .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
      : new TimeseriesPanelBuilder()
          .legend(legend)
          .fillOpacity(spec.stacked ? 30 : 5)
          .stacking(new StackingConfigBuilder().mode(spec.stacked ? StackingMode.Normal : StackingMode.None));
  return b
    .id(id)
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .targets(spec.queries.map(target))
    .gridPos({ x, y, w, h });
}

function variable(spec: VariableSpec): QueryVariableBuilder {
  const b = new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(PROMETHEUS)
    .query(spec.query)
    .definition(spec.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(spec.multi)
    .includeAll(spec.multi);
  return spec.multi ? b.allValue('.*').current({ text: 'All', value: '$__all' }) : b;
}

/** Builds the dashboard JSON: rows full width, panels left to right wrapping at 24 columns, ids 1..n. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([SIDELIGHT_TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: spec.from ?? 'now-1h', to: 'now' })
    .refresh('30s')
    .link(
      new DashboardLinkBuilder('Sidelight')
        .type(DashboardLinkType.Dashboards)
        .tags([SIDELIGHT_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  for (const v of spec.variables) b.withVariable(variable(v));
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    b.withRow(new RowBuilder(row.title).id(id++).gridPos({ x: 0, y, w: GRID_COLUMNS, h: 1 }));
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const w = p.width ?? (p.kind === 'stat' ? 6 : 12);
      const h = p.height ?? (p.kind === 'stat' ? 4 : 8);
      if (x + w > GRID_COLUMNS) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      b.withPanel(panel(p, id++, x, y, w, h));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return b.build();
}
