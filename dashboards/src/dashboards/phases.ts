/**
 * Phases: where does a request's time go, per route and phase? From
 * `sidelight_phase_duration_seconds` (phases: accept, route, auth, rate_limit,
 * upstream, respond, finish), and each upstream attempt's steps (pool wait,
 * connect, first byte) from `sidelight_upstream_attempt_timing_seconds`; the
 * exemplars open a trace that shows them as CLIENT span events.
 */
import { buildDashboard, query, timeseries } from '../kit.ts';
import { BY_INSTANCE, BY_ROUTE, INSTANCE, quantile, RATE, ROUTE } from '../variables.ts';

const PHASE = 'sidelight_phase_duration_seconds';
const SERVER = 'http_server_request_duration_seconds';
const STEPS = 'sidelight_upstream_attempt_timing_seconds';
/** The proxy's own phases: everything but the upstream's think time and the body transfer. */
const OWN = `${BY_ROUTE}, phase!~"upstream|respond"`;

export const phases = () =>
  buildDashboard({
    uid: 'sidelight-phases',
    title: 'Sidelight / Phases',
    description:
      'Where the time goes: per-phase latency by route, the proxy overhead, and the upstream share.',
    variables: [INSTANCE, ROUTE],
    rows: [
      {
        title: 'Time per phase',
        panels: [
          timeseries({
            title: 'p99 per phase',
            description: 'Which phase is slow at the tail? Exemplars open the trace of a slow request.',
            unit: 's',
            queries: [query(quantile(0.99, PHASE, BY_ROUTE, ['phase']), '{{phase}}', { exemplar: true })],
          }),
          timeseries({
            title: 'p50 per phase',
            description: 'What a typical request spends in each phase.',
            unit: 's',
            queries: [query(quantile(0.5, PHASE, BY_ROUTE, ['phase']), '{{phase}}', { exemplar: true })],
          }),
          timeseries({
            title: 'Mean time per request, by phase (stacked)',
            description: 'How a mean request divides into phases; the stack is the whole request.',
            unit: 's',
            stacked: true,
            queries: [
              query(
                `sum by (phase) (rate(${PHASE}_sum{${BY_ROUTE}}[${RATE}])) / ignoring(phase) group_left sum(rate(${SERVER}_count{${BY_ROUTE}}[${RATE}]))`,
                '{{phase}}',
              ),
            ],
          }),
          timeseries({
            title: 'p99 per route and phase',
            description: 'Which route pays in which phase (the route phase grows with the route table).',
            unit: 's',
            queries: [
              query(quantile(0.99, PHASE, BY_ROUTE, ['http_route', 'phase']), '{{http_route}} {{phase}}'),
            ],
          }),
        ],
      },
      {
        title: 'Proxy overhead vs upstream',
        panels: [
          timeseries({
            title: 'Proxy overhead per request (mean)',
            description:
              "Time in Sidelight's own phases (accept, route, auth, rate_limit), excluding the upstream and the body transfer.",
            unit: 's',
            queries: [
              query(
                `sum by (http_route) (rate(${PHASE}_sum{${OWN}}[${RATE}])) / sum by (http_route) (rate(${SERVER}_count{${BY_ROUTE}}[${RATE}]))`,
                '{{http_route}}',
              ),
            ],
          }),
          timeseries({
            title: 'Upstream share of request time',
            description:
              'How much of the request time is the upstream phase (pool acquire, connect, think time to first byte).',
            unit: 'percentunit',
            queries: [
              query(
                `sum by (http_route) (rate(${PHASE}_sum{${BY_ROUTE}, phase="upstream"}[${RATE}])) / sum by (http_route) (rate(${SERVER}_sum{${BY_ROUTE}}[${RATE}]))`,
                '{{http_route}}',
              ),
            ],
          }),
          timeseries({
            title: 'Upstream phase p50 / p99 (pool wait + connect + first byte)',
            description:
              'Dispatch to response head; the CLIENT span events split it into pool acquire, connect and first byte.',
            unit: 's',
            queries: [
              query(
                quantile(0.5, PHASE, `${BY_ROUTE}, phase="upstream"`, ['http_route']),
                'p50 {{http_route}}',
                { exemplar: true },
              ),
              query(
                quantile(0.99, PHASE, `${BY_ROUTE}, phase="upstream"`, ['http_route']),
                'p99 {{http_route}}',
                { exemplar: true },
              ),
            ],
          }),
          timeseries({
            title: 'Upstream attempt steps p99: pool wait, connect, first byte',
            description:
              "Each attempt split from its dispatch: waiting for a pooled connection, dialling a new one, and the upstream's time to its response head (sidelight_upstream_attempt_timing_seconds).",
            unit: 's',
            queries: [query(quantile(0.99, STEPS, BY_INSTANCE, ['step']), '{{step}}', { exemplar: true })],
          }),
          timeseries({
            title: 'Respond phase p99 (body transfer)',
            description: 'Streaming the body back; slow clients and large bodies show here.',
            unit: 's',
            queries: [
              query(quantile(0.99, PHASE, `${BY_ROUTE}, phase="respond"`, ['http_route']), '{{http_route}}', {
                exemplar: true,
              }),
            ],
          }),
        ],
      },
    ],
  });
