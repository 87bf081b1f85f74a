/** S09: a new TLS connection per request across three SNI names. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s09: ScenarioDefinition = {
  id: 'S09',
  name: 'tls-sni-handshakes',
  traffic: 'a new TLS connection per request across 3 SNI names',
  exercises: 'TLS termination, per-name certificate selection',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 300,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 300,
  },
  iteration: {
    parallel: false,
    requests: [
      { method: 'GET', path: '/api/items/{id}', route: '/api/items/:id', headers: { connection: 'close' } },
    ],
  },
  idRange: 1000,
  thresholds: [
    {
      metric: 'http_req_failed',
      stat: 'rate',
      op: '==',
      value: 0,
      description: 'right certificate, 0 errors',
    },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 100,
      env: 'P99_BUDGET_MS',
      description: 'p99 including the handshake (ms)',
    },
  ],
  reports: ['handshakes per second', 'the right certificate for every name'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'item', match: { path: '/api/items/:id', methods: ['GET'] } }],
  },
  requires: { capability: 'TLS termination with SNI certificate selection', issue: 12 },
};
