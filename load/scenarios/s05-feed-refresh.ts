/** S05: ~64 KB feed refreshes with every trace sampled and access logs on: what full telemetry costs. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s05: ScenarioDefinition = {
  id: 'S05',
  name: 'feed-refresh',
  traffic: 'GET /feed, ~64 KB JSON, 100% trace sampling and access logs on',
  exercises: 'cost of full telemetry',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 500,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 200,
  },
  iteration: { parallel: false, requests: [{ method: 'GET', path: '/feed', route: '/feed' }] },
  idRange: 1,
  thresholds: [{ metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 errors' }],
  reports: [
    'throughput at 100% vs 1% sampling as a ratio: requests per Sidelight CPU-second ' +
      '(process_cpu_seconds_total), since an open-model run sends the same rate to both',
  ],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'feed', match: { path: '/feed', methods: ['GET'] } }],
    telemetry: { sampling: 1, phaseSpans: true, logLevel: 'info' },
  },
  variants: [{ label: 'sampling-1pct', telemetry: { sampling: 0.01 } }],
};
