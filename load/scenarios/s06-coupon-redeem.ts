/** S06: coupon redemptions under a per-user sliding window kept in Redis, with Redis restarted mid-run. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s06: ScenarioDefinition = {
  id: 'S06',
  name: 'coupon-redeem',
  traffic:
    'POST /coupons/:code/redeem, per-user distributed sliding window in Redis; Redis restarted mid-run',
  exercises: 'Redis limiter accuracy, Redis latency, configured fail-open / fail-closed',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 600,
    durationSeconds: 90,
    preAllocatedVUs: 50,
    maxVUs: 300,
  },
  iteration: {
    parallel: false,
    requests: [
      {
        method: 'POST',
        path: '/coupons/{code}/redeem',
        route: '/coupons/:code/redeem',
        headers: { 'content-type': 'application/json', 'x-user-id': 'user-{id}' },
        body: { kind: 'text', text: '{"user":"user-{id}"}' },
        expectedStatuses: [200, 409, 429],
      },
    ],
  },
  idRange: 200,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: 'no 5xx, no hang' },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 100,
      env: 'P99_BUDGET_MS',
      description: 'p99 including the Redis round trip (ms)',
    },
  ],
  reports: ['limit accuracy within ±2%', 'during the Redis outage exactly the configured fail mode'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'redeem', match: { path: '/coupons/:code/redeem', methods: ['POST'] } }],
  },
  requires: { capability: 'a Redis sliding-window rate limit', issue: 15 },
};
