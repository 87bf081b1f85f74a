/** S08: the same GET with `Connection: close`, with keep-alive, and over HTTP/2 multiplexed. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s08: ScenarioDefinition = {
  id: 'S08',
  name: 'connection-churn',
  traffic: 'the same GET with Connection: close, with keep-alive, and over HTTP/2 multiplexed',
  exercises: 'connection handling, upstream pooling',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 500,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 300,
  },
  iteration: {
    parallel: false,
    requests: [
      { method: 'GET', path: '/api/items/{id}', route: '/api/items/:id', headers: { connection: 'close' } },
      { method: 'GET', path: '/api/items/{id}', route: '/api/items/:id' },
    ],
  },
  idRange: 1000,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 errors' },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 100,
      env: 'P99_BUDGET_MS',
      description: 'p99 of every mode (ms)',
    },
  ],
  reports: ['table of p50/p99 and peak connections for close, keep-alive and HTTP/2'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'item', match: { path: '/api/items/:id', methods: ['GET'] } }],
  },
  requires: { capability: 'HTTP/2 listeners', issue: 12 },
};
