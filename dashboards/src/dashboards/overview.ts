/**
 * Overview: is the service behind the sidecar healthy, per route? RED
 * (rate, errors, duration) from `http_server_request_duration_seconds`; the
 * latency quantiles ask for exemplars, so a slow point opens its trace.
 */
import { buildDashboard, query, stat, timeseries } from '../kit.ts';
import { BY_INSTANCE, BY_ROUTE, INSTANCE, quantile, RATE, ROUTE, ratio } from '../variables.ts';

const SERVER = 'http_server_request_duration_seconds';
const count = (selector: string, by: string) =>
  `sum by (${by}) (rate(${SERVER}_count{${selector}}[${RATE}]))`;
const errorsOnly = `${BY_ROUTE}, error_type!=""`;

export const overview = () =>
  buildDashboard({
    uid: 'sidelight-overview',
    title: 'Sidelight / Overview',
    description:
      'RED per route: request rate, error ratio and latency quantiles, with exemplars linking to traces.',
    variables: [INSTANCE, ROUTE],
    rows: [
      {
        title: 'At a glance (selected routes)',
        panels: [
          stat({
            title: 'Requests per second',
            description: 'Requests finished per second across the selected routes.',
            unit: 'reqps',
            queries: [query(`sum(rate(${SERVER}_count{${BY_ROUTE}}[${RATE}]))`, 'req/s')],
          }),
          stat({
            title: 'Error ratio',
            description:
              'Share of requests that failed (a 5xx, or a catalogued reason such as upstream_timeout).',
            unit: 'percentunit',
            queries: [
              query(
                ratio(
                  `sum(rate(${SERVER}_count{${errorsOnly}}[${RATE}]))`,
                  `sum(rate(${SERVER}_count{${BY_ROUTE}}[${RATE}]))`,
                ),
                'errors',
              ),
            ],
          }),
          stat({
            title: 'p99 latency',
            description: '99th percentile of the whole request, accept to last response byte.',
            unit: 's',
            queries: [query(quantile(0.99, SERVER, BY_ROUTE, []), 'p99')],
          }),
          stat({
            title: 'Requests in flight',
            description: 'Requests accepted and not yet finished, all routes.',
            unit: 'short',
            queries: [query(`sum(http_server_active_requests{${BY_INSTANCE}})`, 'in flight')],
          }),
        ],
      },
      {
        title: 'Rate and errors per route',
        panels: [
          timeseries({
            title: 'Request rate by route',
            description: 'Which routes carry the traffic?',
            unit: 'reqps',
            queries: [query(count(BY_ROUTE, 'http_route'), '{{http_route}}')],
          }),
          timeseries({
            title: 'Error ratio by route',
            description: 'Which route fails, and how much of its traffic?',
            unit: 'percentunit',
            queries: [
              query(ratio(count(errorsOnly, 'http_route'), count(BY_ROUTE, 'http_route')), '{{http_route}}'),
            ],
          }),
          timeseries({
            title: 'Responses by status code',
            description: 'What the clients got back: status codes (499 = the client went away).',
            unit: 'reqps',
            stacked: true,
            queries: [query(count(BY_ROUTE, 'http_response_status_code'), '{{http_response_status_code}}')],
          }),
          timeseries({
            title: 'Failures by reason',
            description:
              'Why requests failed: the error catalogue reason or the upstream 5xx status (docs/errors.md).',
            unit: 'reqps',
            stacked: true,
            queries: [
              query(
                `${count(errorsOnly, 'error_type')} or 0 * sum(rate(${SERVER}_count{${BY_ROUTE}}[${RATE}]))`,
                '{{error_type}}',
              ),
            ],
          }),
        ],
      },
      {
        title: 'Latency per route (exemplars link to traces)',
        panels: [
          timeseries({
            title: 'p50 / p95 / p99 by route',
            description:
              'How long requests take; each exemplar dot is a sampled request, click it to open the trace.',
            unit: 's',
            width: 24,
            queries: [
              query(quantile(0.5, SERVER, BY_ROUTE, ['http_route']), 'p50 {{http_route}}', {
                exemplar: true,
              }),
              query(quantile(0.95, SERVER, BY_ROUTE, ['http_route']), 'p95 {{http_route}}', {
                exemplar: true,
              }),
              query(quantile(0.99, SERVER, BY_ROUTE, ['http_route']), 'p99 {{http_route}}', {
                exemplar: true,
              }),
            ],
          }),
          timeseries({
            title: 'Response body size p95 by route',
            description: 'How much each route sends back: large bodies explain long respond phases.',
            unit: 'bytes',
            queries: [
              query(
                quantile(0.95, 'http_server_response_body_size_bytes', BY_ROUTE, ['http_route']),
                '{{http_route}}',
              ),
            ],
          }),
          timeseries({
            title: 'Request body size p95 by route',
            description: 'How much clients upload per request, forwarded upstream.',
            unit: 'bytes',
            queries: [
              query(
                quantile(0.95, 'http_server_request_body_size_bytes', BY_ROUTE, ['http_route']),
                '{{http_route}}',
              ),
            ],
          }),
        ],
      },
      {
        title: 'Config',
        panels: [
          timeseries({
            title: 'Config generation',
            description: 'Which config generation serves new requests (+1 per applied reload).',
            unit: 'short',
            queries: [
              query(`max by (instance) (sidelight_config_generation{${BY_INSTANCE}})`, '{{instance}}'),
            ],
          }),
          timeseries({
            title: 'Config reloads by result',
            description:
              'Reloads applied or rejected (an invalid, half-written or deleted file changes nothing).',
            unit: 'short',
            queries: [
              query(
                `sum by (result) (increase(sidelight_config_reloads_total{${BY_INSTANCE}}[${RATE}]))`,
                '{{result}}',
              ),
            ],
          }),
        ],
      },
    ],
  });
