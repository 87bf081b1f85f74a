/** S01: steady GETs of a ~1 KB item at a constant arrival rate — the baseline every other run is read against. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s01: ScenarioDefinition = {
  id: 'S01',
  name: 'steady-baseline',
  traffic: 'GET /api/items/:id, ~1 KB JSON, constant arrival rate',
  exercises: 'route match, upstream pool reuse, default telemetry',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 1000,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 200,
  },
  iteration: {
    parallel: false,
    requests: [{ method: 'GET', path: '/api/items/{id}', route: '/api/items/:id' }],
  },
  idRange: 1000,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 errors' },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 50,
      env: 'P99_BUDGET_MS',
      description: 'p99 under the budget (ms)',
    },
  ],
  reports: ['added latency vs direct upstream (the same traffic straight to the demo service)'],
  variants: [{ label: 'direct', direct: true }],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'item', match: { path: '/api/items/:id', methods: ['GET'] } }],
  },
};
