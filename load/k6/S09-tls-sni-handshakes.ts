/**
 * S09 tls-sni-handshakes: a new TLS connection per request across three SNI
 * names, all resolving to the proxy. Certificates are verified (no
 * insecureSkipTLSVerify): point k6 at the test CA with SSL_CERT_FILE, so a
 * wrong certificate for a name fails the handshake and the request.
 *
 *   SSL_CERT_FILE=ca.pem k6 run -e TARGET_TLS_PORT=8443 -e SNI_NAMES=a.test,b.test,c.test load/k6/S09-tls-sni-handshakes.ts
 */
import { check } from 'k6';
import http from 'k6/http';
import { s09 } from '../scenarios/s09-tls-sni-handshakes.ts';
import { summaryWriter } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

const NAMES = (__ENV.SNI_NAMES || 'a.sidelight.test,b.sidelight.test,c.sidelight.test').split(',');
const PORT = __ENV.TARGET_TLS_PORT || '8443';
const ADDRESS = __ENV.TARGET_ADDRESS || '127.0.0.1';

export const options = {
  ...k6Options(s09, __ENV),
  noConnectionReuse: true,
  hosts: Object.fromEntries(NAMES.map((n) => [n, ADDRESS])),
};

export default function (): void {
  const name = NAMES[Math.floor(Math.random() * NAMES.length)]!;
  const id = Math.floor(Math.random() * s09.idRange) + 1;
  const res = http.get(`https://${name}:${PORT}/api/items/${id}`, {
    tags: { name: 'GET /api/items/:id', sni: name },
  });
  check(res, { 'verified TLS and 200': (r) => r.status === 200 && r.tls_version !== '' });
}

export const handleSummary = summaryWriter(s09);
