/** S02: an order spike from 0 to peak in 10 s against a local token-bucket limit. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s02: ScenarioDefinition = {
  id: 'S02',
  name: 'flash-sale-spike',
  traffic: 'POST /api/orders, ramping arrival rate 0 -> peak in 10 s, hold, drop',
  exercises: 'local token-bucket limit (429 + Retry-After + RateLimit headers), overload protection',
  executor: {
    kind: 'ramping-arrival-rate',
    startRate: 0,
    stages: [
      { durationSeconds: 10, target: 2000 },
      { durationSeconds: 30, target: 2000 },
      { durationSeconds: 5, target: 0 },
    ],
    preAllocatedVUs: 100,
    maxVUs: 500,
  },
  iteration: {
    parallel: false,
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        route: '/api/orders',
        headers: { 'content-type': 'application/json' },
        body: { kind: 'text', text: '{"sku":"flash-1","quantity":1}' },
        expectedStatuses: [200, 201, 429],
      },
    ],
  },
  idRange: 1000,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: 'no 5xx (429 is expected)' },
    {
      metric: 'http_req_duration',
      stat: 'p(95)',
      op: '<',
      value: 100,
      env: 'P95_BUDGET_MS',
      description: 'p95 of admitted requests (ms)',
    },
  ],
  reports: ['share of 429 vs what the limit implies (within ±5%)'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'orders', match: { path: '/api/orders', methods: ['POST'] } }],
  },
  requires: { capability: 'a local token-bucket rate limit', issue: 15 },
};
