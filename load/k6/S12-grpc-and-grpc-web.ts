/**
 * S12 grpc-and-grpc-web: unary gRPC over h2c (k6/net/grpc, plaintext) and
 * gRPC-Web binary and text over HTTP/1.1 through the proxy to a
 * @grpc/grpc-js upstream serving demo.Items (load/k6/proto/items.proto).
 * grpc-status must come back end to end.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 -e GRPC_TARGET=127.0.0.1:8080 load/k6/S12-grpc-and-grpc-web.ts
 */
import { check } from 'k6';
import http from 'k6/http';
import grpc from 'k6/net/grpc';
import { s12 } from '../scenarios/s12-grpc-and-grpc-web.ts';
import { summaryWriter, target } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s12, __ENV);
const client = new grpc.Client();
client.load(['proto'], 'items.proto');
let connected = false;

export default function (): void {
  if (!connected) {
    client.connect(__ENV.GRPC_TARGET || '127.0.0.1:8080', { plaintext: true });
    connected = true;
  }
  const id = Math.floor(Math.random() * s12.idRange) + 1;
  const unary = client.invoke('demo.Items/Get', { id }, { tags: { name: 'grpc demo.Items/Get' } });
  check(unary, { 'h2c: grpc-status OK': (r) => r !== null && r.status === grpc.StatusOK });
  for (const spec of s12.iteration.requests) {
    const text = spec.body?.kind === 'text' ? spec.body.text : '';
    const res = http.post(`${target()}${spec.path}`, text, {
      headers: { ...spec.headers },
      tags: { name: `grpc-web ${spec.headers?.['content-type'] ?? ''}` },
    });
    check(res, {
      'grpc-web: 200 with grpc-status 0': (r) =>
        r.status === 200 && (r.headers['Grpc-Status'] === '0' || String(r.body).includes('grpc-status:0')),
    });
  }
}

export const handleSummary = summaryWriter(s12);
