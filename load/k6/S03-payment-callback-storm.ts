/**
 * S03 payment-callback-storm: signed payment callbacks, 1% with a forged or
 * expired token that must be answered 401 and never forwarded.
 * Tokens come from TOKENS_FILE, JSON `{ "good": ["eyJ..."], "bad": ["eyJ..."] }`
 * (RS256 and ES256 tokens signed by the keys the JWKS endpoint serves; k6
 * does not sign them itself so the keys stay out of the load generator).
 *
 *   k6 run -e TARGET=http://127.0.0.1:8080 -e TOKENS_FILE=tokens.json load/k6/S03-payment-callback-storm.ts
 */
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import { s03 } from '../scenarios/s03-payment-callback-storm.ts';
import { summaryWriter, target } from './lib/iteration.ts';
import { k6Options } from './lib/options.ts';

export const options = k6Options(s03, __ENV);
/** Share of bad tokens that got anything but 401 (must stay 0). */
const badAdmitted = new Rate('bad_token_admitted');
options.thresholds = { ...options.thresholds, bad_token_admitted: ['rate==0'] };

const tokens = new SharedArray('tokens', () => {
  const doc = JSON.parse(open(__ENV.TOKENS_FILE || 'tokens.json')) as { good: string[]; bad: string[] };
  return [doc];
})[0] as { good: string[]; bad: string[] };
const BAD_SHARE = Number(__ENV.BAD_SHARE || '0.01');

export default function (): void {
  const bad = Math.random() < BAD_SHARE;
  const pool = bad ? tokens.bad : tokens.good;
  const jwt = pool[Math.floor(Math.random() * pool.length)]!;
  const spec = s03.iteration.requests[0]!;
  const id = Math.floor(Math.random() * s03.idRange) + 1;
  const res = http.post(
    `${target()}${spec.path}`,
    JSON.stringify({ payment: String(id), status: 'captured' }),
    {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
      tags: { name: `${spec.method} ${spec.route}`, token: bad ? 'bad' : 'good' },
      responseCallback: http.expectedStatuses(bad ? 401 : 200),
    },
  );
  if (bad) badAdmitted.add(res.status !== 401);
  check(res, { 'bad token 401, good token 200': (r) => r.status === (bad ? 401 : 200) });
}

export const handleSummary = summaryWriter(s03);
