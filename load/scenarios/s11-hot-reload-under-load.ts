/** S11: the route config rewritten every 2 s under steady load; no request may fail. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s11: ScenarioDefinition = {
  id: 'S11',
  name: 'hot-reload-under-load',
  traffic: 'the route and limit config rewritten every 2 s under steady load',
  exercises: 'validated, atomic config swap',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 500,
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
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 failed requests' },
    {
      metric: 'sidelight_reloads_missed',
      stat: 'value',
      op: '==',
      value: 0,
      description:
        'every generation counted (rewrites minus sidelight_config_reloads_total{result="applied"})',
    },
  ],
  reports: ['config generations applied during the run'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'item', match: { path: '/api/items/:id', methods: ['GET'] } }],
  },
  reload: { everySeconds: 2 },
};
