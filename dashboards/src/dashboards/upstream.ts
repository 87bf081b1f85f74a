/**
 * Upstream: how does the service behind the sidecar answer? One observation
 * of `http_client_request_duration_seconds` per attempt, by endpoint and
 * status; endpoint weights from config. Endpoint health and ejections join
 * here when the issue that builds them lands (dashboards/README.md).
 */
import { buildDashboard, query, timeseries } from '../kit.ts';
import { BY_ENDPOINT, BY_INSTANCE, INSTANCE, quantile, RATE, ratio, SERVER_ADDRESS } from '../variables.ts';

const CLIENT = 'http_client_request_duration_seconds';
const attempts = (selector: string, by: string) =>
  `sum by (${by}) (rate(${CLIENT}_count{${selector}}[${RATE}]))`;
const failed = `${BY_ENDPOINT}, error_type!=""`;

export const upstream = () =>
  buildDashboard({
    uid: 'sidelight-upstream',
    title: 'Sidelight / Upstream',
    description:
      'Upstream attempts by endpoint: rate, statuses, failures, latency with exemplars, weights and sockets.',
    variables: [INSTANCE, SERVER_ADDRESS],
    rows: [
      {
        title: 'Attempts',
        panels: [
          timeseries({
            title: 'Attempts per second by endpoint',
            description: 'Which endpoint gets the traffic?',
            unit: 'reqps',
            queries: [query(attempts(BY_ENDPOINT, 'server_address'), '{{server_address}}')],
          }),
          timeseries({
            title: 'Upstream statuses',
            description:
              'What the upstream answered (no status: no response head arrived, e.g. a refused connection).',
            unit: 'reqps',
            stacked: true,
            queries: [
              query(
                attempts(BY_ENDPOINT, 'server_address, http_response_status_code'),
                '{{server_address}} {{http_response_status_code}}',
              ),
            ],
          }),
          timeseries({
            title: 'Failed attempts ratio by endpoint',
            description:
              'Share of attempts with a 4xx/5xx or a transport failure (connect refused, timeout, reset).',
            unit: 'percentunit',
            queries: [
              query(
                ratio(attempts(failed, 'server_address'), attempts(BY_ENDPOINT, 'server_address')),
                '{{server_address}}',
              ),
            ],
          }),
          timeseries({
            title: 'Attempts per request',
            description:
              'Upstream attempts per finished request: 1 without retries; above 1 with retries or mirrors.',
            unit: 'short',
            queries: [
              query(
                `sum(rate(${CLIENT}_count{${BY_INSTANCE}}[${RATE}])) / sum(rate(http_server_request_duration_seconds_count{${BY_INSTANCE}}[${RATE}]))`,
                'attempts/request',
              ),
            ],
          }),
        ],
      },
      {
        title: 'Latency (exemplars link to the attempt span)',
        panels: [
          timeseries({
            title: 'Attempt duration p50 / p95 / p99 by endpoint',
            description:
              'Dispatch to the last response byte of one attempt; exemplars open the CLIENT span with its pool, connect and first-byte events.',
            unit: 's',
            queries: [
              query(quantile(0.5, CLIENT, BY_ENDPOINT, ['server_address']), 'p50 {{server_address}}', {
                exemplar: true,
              }),
              query(quantile(0.95, CLIENT, BY_ENDPOINT, ['server_address']), 'p95 {{server_address}}', {
                exemplar: true,
              }),
              query(quantile(0.99, CLIENT, BY_ENDPOINT, ['server_address']), 'p99 {{server_address}}', {
                exemplar: true,
              }),
            ],
          }),
          timeseries({
            title: 'Pool wait, connect and first byte p99 by endpoint',
            description:
              'Where an attempt waits: for a pooled connection, for a new connection to be established, for the response head.',
            unit: 's',
            queries: [
              query(
                quantile(0.99, 'sidelight_upstream_attempt_timing_seconds', BY_ENDPOINT, [
                  'server_address',
                  'step',
                ]),
                '{{step}} {{server_address}}',
                { exemplar: true },
              ),
            ],
          }),
        ],
      },
      {
        title: 'Endpoints and connections',
        panels: [
          timeseries({
            title: 'Endpoint weight',
            description: 'Configured weight of each endpoint.',
            unit: 'short',
            queries: [
              query(
                `max by (server_address) (sidelight_upstream_endpoint_weight{${BY_ENDPOINT}})`,
                '{{server_address}}',
              ),
            ],
          }),
          timeseries({
            title: 'Open sockets',
            description:
              'Sockets the process holds open: client connections plus pooled upstream connections (Node active handles of type Socket).',
            unit: 'short',
            queries: [
              query(
                `sum by (instance) (nodejs_active_handles{${BY_INSTANCE}, type="Socket"})`,
                '{{instance}}',
              ),
            ],
          }),
        ],
      },
    ],
  });
