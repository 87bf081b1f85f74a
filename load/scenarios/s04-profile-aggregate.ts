/** S04: a profile page's four parallel GETs against a 5,000-route table (`:param`, `*` and regex routes). */
import type { ConfigInput } from '../../src/config/schema.ts';
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

type Route = NonNullable<ConfigInput['routes']>[number];

/** The real routes plus filler shaped like a large API: static, `:param`, `:param(regex)` and `*` routes. */
export function profileRouteTable(total: number): Route[] {
  const routes: Route[] = [
    { name: 'user', match: { path: '/users/:id(\\d+)', methods: ['GET'] } },
    { name: 'user-orders', match: { path: '/users/:id(\\d+)/orders', methods: ['GET'] } },
    { name: 'user-coupons', match: { path: '/users/:id/coupons', methods: ['GET'] } },
    { name: 'user-points', match: { path: '/users/:id/points', methods: ['GET'] } },
    { name: 'users-rest', match: { path: '/users/*' } },
  ];
  for (let i = 0; routes.length < total; i++) {
    const svc = `svc${i % 250}`;
    const v = `v${Math.floor(i / 250)}`;
    switch (i % 4) {
      case 0:
        routes.push({ name: `r${i}-static`, match: { path: `/${svc}/${v}/status` } });
        break;
      case 1:
        routes.push({ name: `r${i}-param`, match: { path: `/${svc}/${v}/items/:id`, methods: ['GET'] } });
        break;
      case 2:
        routes.push({ name: `r${i}-regex`, match: { path: `/${svc}/${v}/orders/:id([0-9a-f]{8})` } });
        break;
      default:
        routes.push({ name: `r${i}-wild`, match: { path: `/${svc}/${v}/files/*` } });
    }
  }
  return routes;
}

export const s04: ScenarioDefinition = {
  id: 'S04',
  name: 'profile-aggregate',
  traffic: 'per iteration 4 parallel GETs /users/:id, /orders, /coupons, /points against a 5,000-route table',
  exercises: 'router at scale, fan-out',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 250,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 200,
  },
  iteration: {
    parallel: true,
    requests: [
      { method: 'GET', path: '/users/{id}', route: '/users/:id(\\d+)' },
      { method: 'GET', path: '/users/{id}/orders', route: '/users/:id(\\d+)/orders' },
      { method: 'GET', path: '/users/{id}/coupons', route: '/users/:id/coupons' },
      { method: 'GET', path: '/users/{id}/points', route: '/users/:id/points' },
    ],
  },
  idRange: 10_000,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 errors' },
    {
      metric: 'sidelight_phase_route_duration',
      stat: 'p(99)',
      op: '<',
      value: 1,
      env: 'ROUTE_P99_BUDGET_MS',
      description: 'route-match phase p99 (ms, from sidelight_phase_duration_seconds)',
    },
    {
      metric: 'iteration_duration',
      stat: 'p(99)',
      op: '<',
      value: 100,
      env: 'ITERATION_P99_BUDGET_MS',
      description: 'p99 of the whole iteration (ms)',
    },
  ],
  reports: [],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: profileRouteTable(5000),
  },
};
