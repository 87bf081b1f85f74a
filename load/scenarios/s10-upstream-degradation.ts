/** S10: three endpoints; one turns slow, then fails, then recovers mid-run. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s10: ScenarioDefinition = {
  id: 'S10',
  name: 'upstream-degradation',
  traffic: '3 endpoints; one turns slow, then fails, then recovers mid-run',
  exercises: 'active + passive health checks, ejection, retries, weight decay and recovery',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 600,
    durationSeconds: 120,
    preAllocatedVUs: 50,
    maxVUs: 300,
  },
  iteration: {
    parallel: false,
    requests: [{ method: 'GET', path: '/api/items/{id}', route: '/api/items/:id' }],
  },
  idRange: 1000,
  thresholds: [
    {
      metric: 'http_req_failed',
      stat: 'rate',
      op: '<',
      value: 0.001,
      env: 'MAX_ERROR_RATE',
      description: 'error rate of idempotent GETs under 0.1%',
    },
  ],
  reports: ['ejection and recovery times'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'item', match: { path: '/api/items/:id', methods: ['GET'] } }],
  },
  requires: { capability: 'active and passive upstream health checks with retries', issue: 14 },
};
