/** S03: signed payment callbacks (RS256 and ES256 from a JWKS), 1% forged or expired. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s03: ScenarioDefinition = {
  id: 'S03',
  name: 'payment-callback-storm',
  traffic:
    'POST /webhooks/payments with a JWT (RS256 and ES256, keys from a JWKS endpoint), 1% forged or expired',
  exercises: 'JWT verification, JWKS cache and rotation, 401 path',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 800,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 200,
  },
  iteration: {
    parallel: false,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/payments',
        route: '/webhooks/payments',
        headers: { 'content-type': 'application/json', authorization: 'Bearer {jwt}' },
        body: { kind: 'text', text: '{"payment":"{id}","status":"captured"}' },
        expectedStatuses: [200, 401],
      },
    ],
  },
  idRange: 100_000,
  thresholds: [
    {
      metric: 'http_req_failed',
      stat: 'rate',
      op: '==',
      value: 0,
      description: 'bad tokens 401, good ones 2xx',
    },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 50,
      env: 'P99_BUDGET_MS',
      description: 'p99 of good tokens (ms)',
    },
  ],
  reports: ['every bad token answered 401 and never forwarded'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'payments', match: { path: '/webhooks/payments', methods: ['POST'] } }],
  },
  requires: { capability: 'JWT verification with JWKS', issue: 15 },
};
