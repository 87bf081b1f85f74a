/**
 * Template variables shared by the dashboards, and the label matchers that use
 * them. Label names are the ones docs/metrics.md lists (and, for k6, the tags
 * in /load's k6 scripts: `testid`, `scenario`).
 */
import type { VariableSpec } from './kit.ts';

export const INSTANCE: VariableSpec = {
  name: 'instance',
  label: 'Sidecar',
  query: 'label_values(http_server_request_duration_seconds_count, instance)',
  multi: true,
};

export const ROUTE: VariableSpec = {
  name: 'route',
  label: 'Route',
  query: 'label_values(http_server_request_duration_seconds_count{instance=~"$instance"}, http_route)',
  multi: true,
};

export const SERVER_ADDRESS: VariableSpec = {
  name: 'server_address',
  label: 'Upstream endpoint',
  query: 'label_values(http_client_request_duration_seconds_count{instance=~"$instance"}, server_address)',
  multi: true,
};

export const TESTID: VariableSpec = {
  name: 'testid',
  label: 'k6 test id',
  query: 'label_values(k6_http_reqs_total, testid)',
  multi: true,
};

export const SCENARIO: VariableSpec = {
  name: 'scenario',
  label: 'k6 scenario',
  query: 'label_values(k6_http_reqs_total{testid=~"$testid"}, scenario)',
  multi: true,
};

/** One sidecar (or all): every Sidelight query carries it. */
export const BY_INSTANCE = 'instance=~"$instance"';
/** The selected sidecars and routes. */
export const BY_ROUTE = `${BY_INSTANCE}, http_route=~"$route"`;
/** The selected sidecars and upstream endpoints. */
export const BY_ENDPOINT = `${BY_INSTANCE}, server_address=~"$server_address"`;
/** The selected k6 runs and scenarios. */
export const BY_TEST = 'testid=~"$testid", scenario=~"$scenario"';

/** `rate()` over Grafana's interval (at least four scrapes). */
export const RATE = '$__rate_interval';

/**
 * A ratio that reads 0, not "no data", while the numerator has no series
 * (no errors yet): `(num or 0 * den) / den`, grouped by `by`.
 */
export function ratio(numerator: string, denominator: string): string {
  return `(${numerator} or 0 * ${denominator}) / ${denominator}`;
}

/** `histogram_quantile(q, ...)` of a histogram's buckets summed by `by` (plus `le`). */
export function quantile(q: number, metric: string, selector: string, by: readonly string[]): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${metric}_bucket{${selector}}[${RATE}])))`;
}
