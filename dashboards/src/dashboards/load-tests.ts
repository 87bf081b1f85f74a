/**
 * Load tests: what did a k6 run see, and what did the sidecar do meanwhile?
 * k6's `-o experimental-prometheus-rw` metrics (names and tags as in
 * /work/notes/load-contract.md and the README's "Load scenarios": prefix
 * `k6_`, Trend stats p50/p95/p99/avg/max as gauges, `testid` and `scenario`
 * tags) beside the sidecar's own latency and phases over the same window.
 */
import { buildDashboard, query, timeseries } from '../kit.ts';
import { BY_INSTANCE, BY_TEST, INSTANCE, quantile, RATE, SCENARIO, TESTID } from '../variables.ts';

const byScenario = (metric: string) => `max by (testid, scenario) (${metric}{${BY_TEST}})`;
const rateByScenario = (metric: string) => `sum by (testid, scenario) (rate(${metric}{${BY_TEST}}[${RATE}]))`;

export const loadTests = () =>
  buildDashboard({
    uid: 'sidelight-load-tests',
    title: 'Sidelight / Load tests',
    description:
      'k6 remote-write results by test id and scenario, beside the sidecar metrics of the same window.',
    variables: [TESTID, SCENARIO, INSTANCE],
    from: 'now-30m',
    rows: [
      {
        title: 'What k6 saw',
        panels: [
          timeseries({
            title: 'Request rate by scenario',
            description:
              'Requests k6 completed per second (arrival-rate executors: compare with the configured rate).',
            unit: 'reqps',
            queries: [query(rateByScenario('k6_http_reqs_total'), '{{testid}} {{scenario}}')],
          }),
          timeseries({
            title: 'Failed request ratio by scenario',
            description: 'k6 http_req_failed: share of responses outside the expected statuses.',
            unit: 'percentunit',
            queries: [query(byScenario('k6_http_req_failed_rate'), '{{testid}} {{scenario}}')],
          }),
          timeseries({
            title: 'http_req_duration p50 / p95 / p99 by scenario',
            description:
              'Latency as the client saw it, sidecar included (the thresholds in SCENARIOS.md apply here).',
            unit: 's',
            width: 24,
            queries: [
              query(byScenario('k6_http_req_duration_p50'), 'p50 {{testid}} {{scenario}}'),
              query(byScenario('k6_http_req_duration_p95'), 'p95 {{testid}} {{scenario}}'),
              query(byScenario('k6_http_req_duration_p99'), 'p99 {{testid}} {{scenario}}'),
            ],
          }),
          timeseries({
            title: 'Dropped iterations per second',
            description:
              'Iterations k6 could not start on time (not enough VUs): a non-zero value means the offered rate was not reached.',
            unit: 'short',
            queries: [query(rateByScenario('k6_dropped_iterations_total'), '{{testid}} {{scenario}}')],
          }),
          timeseries({
            title: 'Iteration duration p99 and VUs',
            description:
              'How long one iteration (e.g. S04 fan-out of 4 calls) takes, and how many VUs k6 needed.',
            unit: 's',
            queries: [
              query(byScenario('k6_iteration_duration_p99'), 'p99 {{testid}} {{scenario}}'),
              query(`max by (testid) (k6_vus{testid=~"$testid"})`, 'VUs {{testid}}'),
            ],
          }),
          timeseries({
            title: 'Checks passing',
            description: 'Share of k6 checks that passed.',
            unit: 'percentunit',
            queries: [query(byScenario('k6_checks_rate'), '{{testid}} {{scenario}}')],
          }),
          timeseries({
            title: 'Data sent and received',
            description: 'Bytes per second on the wire, both directions.',
            unit: 'Bps',
            queries: [
              query(rateByScenario('k6_data_sent_total'), 'sent {{testid}} {{scenario}}'),
              query(rateByScenario('k6_data_received_total'), 'received {{testid}} {{scenario}}'),
            ],
          }),
        ],
      },
      {
        title: 'What the sidecar did meanwhile',
        panels: [
          timeseries({
            title: 'Sidecar p99 by route',
            description:
              "The sidecar's own view: accept to last byte; the gap to k6's p99 is the network and the client.",
            unit: 's',
            queries: [
              query(
                quantile(0.99, 'http_server_request_duration_seconds', BY_INSTANCE, ['http_route']),
                '{{http_route}}',
                {
                  exemplar: true,
                },
              ),
            ],
          }),
          timeseries({
            title: 'Sidecar p99 per phase',
            description: 'Which phase grew under this load.',
            unit: 's',
            queries: [
              query(quantile(0.99, 'sidelight_phase_duration_seconds', BY_INSTANCE, ['phase']), '{{phase}}'),
            ],
          }),
        ],
      },
    ],
  });
