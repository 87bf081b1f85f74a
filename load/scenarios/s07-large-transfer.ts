/** S07: 10 MiB downloads and uploads, 20 at a time: streaming both ways with backpressure, bounded memory. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

const MIB10 = 10 * 1024 * 1024;

export const s07: ScenarioDefinition = {
  id: 'S07',
  name: 'large-transfer',
  traffic: '10 MiB downloads and 10 MiB uploads, 20 concurrent',
  exercises: 'streaming both ways, backpressure',
  executor: { kind: 'constant-vus', vus: 20, durationSeconds: 60 },
  iteration: {
    parallel: false,
    requests: [
      { method: 'GET', path: `/big?bytes=${MIB10}`, route: '/big' },
      {
        method: 'POST',
        path: '/echo',
        route: '/echo',
        headers: { 'content-type': 'application/octet-stream' },
        body: { kind: 'bytes', bytes: MIB10 },
      },
    ],
  },
  idRange: 1,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: '0 errors' },
    {
      metric: 'sidelight_rss_growth_mb',
      stat: 'value',
      op: '<',
      value: 50,
      env: 'RSS_GROWTH_BUDGET_MB',
      description: 'proxy RSS growth (MB, process_resident_memory_bytes: peak minus start)',
    },
  ],
  reports: ['throughput (MiB/s) vs direct upstream'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [
      { name: 'big', match: { path: '/big', methods: ['GET'] } },
      { name: 'echo', match: { path: '/echo', methods: ['POST'] } },
    ],
  },
  variants: [{ label: 'direct', direct: true }],
};
