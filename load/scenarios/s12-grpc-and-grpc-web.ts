/** S12: unary gRPC over h2c and gRPC-Web (binary and text) over HTTP/1.1 to a @grpc/grpc-js upstream. */
import { DEMO_UPSTREAM, type ScenarioDefinition } from './types.ts';

export const s12: ScenarioDefinition = {
  id: 'S12',
  name: 'grpc-and-grpc-web',
  traffic: 'unary gRPC over h2c and gRPC-Web (binary and text) over HTTP/1.1 to a @grpc/grpc-js upstream',
  exercises: 'HTTP/2 proxying, trailers, gRPC-Web translation',
  executor: {
    kind: 'constant-arrival-rate',
    rate: 500,
    durationSeconds: 60,
    preAllocatedVUs: 50,
    maxVUs: 200,
  },
  iteration: {
    parallel: false,
    requests: [
      {
        method: 'POST',
        path: '/demo.Items/Get',
        route: '/demo.Items/Get',
        headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
        body: { kind: 'text', text: '\u0000\u0000\u0000\u0000\u0002\u0008\u0001' },
      },
      {
        method: 'POST',
        path: '/demo.Items/Get',
        route: '/demo.Items/Get',
        headers: { 'content-type': 'application/grpc-web-text', 'x-grpc-web': '1' },
        body: { kind: 'text', text: 'AAAAAAIIAQ==' },
      },
    ],
  },
  idRange: 1000,
  thresholds: [
    { metric: 'http_req_failed', stat: 'rate', op: '==', value: 0, description: 'grpc-status preserved' },
    {
      metric: 'http_req_duration',
      stat: 'p(99)',
      op: '<',
      value: 50,
      env: 'P99_BUDGET_MS',
      description: 'p99 (ms)',
    },
  ],
  reports: ['grpc-status preserved end to end (h2c unary calls need k6/net/grpc)'],
  sidelight: {
    upstream: { name: 'demo', endpoints: [{ url: DEMO_UPSTREAM }] },
    routes: [{ name: 'items-grpc', match: { path: '/demo.Items/*', methods: ['POST'] } }],
  },
  requires: { capability: 'gRPC and gRPC-Web proxying', issue: 16 },
};
