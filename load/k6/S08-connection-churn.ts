/**
 * S08 connection-churn: the same GET with `Connection: close`, with
 * keep-alive, and over HTTP/2 (k6 speaks HTTP/2 over TLS via ALPN, so the h2
 * mode runs when TARGET_H2 gives an https:// URL). Each request carries a
 * `mode` tag for the p50/p99-per-mode table.
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 -e TARGET_H2=https://127.0.0.1:8443 load/k6/S08-connection-churn.ts
 */
import { check } from 'k6';
import http from 'k6/http';
import { s08 } from '../scenarios/s08-connection-churn.ts';
import { summaryWriter, target } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s08, __ENV);
const H2 = (__ENV.TARGET_H2 || '').replace(/\/$/, '');

export default function (): void {
  const id = Math.floor(Math.random() * s08.idRange) + 1;
  const tags = (mode: string) => ({ name: 'GET /api/items/:id', mode });
  const close = http.get(`${target()}/api/items/${id}`, {
    headers: { connection: 'close' },
    tags: tags('close'),
  });
  const keep = http.get(`${target()}/api/items/${id}`, { tags: tags('keep-alive') });
  check(close, { 'close: 200': (r) => r.status === 200 });
  check(keep, { 'keep-alive: 200': (r) => r.status === 200 });
  if (H2 !== '') {
    const h2 = http.get(`${H2}/api/items/${id}`, { tags: tags('http2') });
    check(h2, { 'http2: 200 over HTTP/2.0': (r) => r.status === 200 && r.proto === 'HTTP/2.0' });
  }
}

export const handleSummary = summaryWriter(s08);
