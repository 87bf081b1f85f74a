/**
 * Request and response header building against random header sets: no
 * hop-by-hop or Connection-nominated field survives, the fields the proxy adds
 * are present exactly once, and X-Forwarded-For ends with the peer whatever
 * `trustedHops` is (0..3).
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRequestHeaders,
  buildResponseHeaders,
  type ForwardingPolicy,
} from '../../../src/upstream/headers.ts';

/** RFC 9110 §7.6.1 and the proxy's own additions (Expect is answered by the proxy). */
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
];
const PROXY_FIELDS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'via'];
const ID = 'x-request-id';
const END_TO_END = ['accept', 'user-agent', 'cookie', 'content-type', 'x-custom', 'traceparent', 'host'];

/** A header name as a client might spell it: from the interesting pool or random, any case. */
const headerName = fc
  .oneof(
    fc.constantFrom(...HOP_BY_HOP, ...PROXY_FIELDS, ID, ...END_TO_END),
    fc.stringMatching(/^x-[a-z0-9]{1,8}$/),
  )
  .chain((name) =>
    fc
      .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
      .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')),
  );

const token = fc.stringMatching(/^[A-Za-z0-9.:-]{1,12}$/);

/** A Connection value: options and nominated names, comma-separated with optional spaces. */
const connectionValue = fc
  .array(fc.oneof(fc.constantFrom('close', 'keep-alive', 'Keep-Alive'), headerName), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((parts) => fc.constantFrom(', ', ',', ' , ').map((sep) => parts.join(sep)));

/** A flat raw header list, as Node's rawHeaders gives it. */
const rawHeaders = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constant('Connection'), connectionValue),
      fc.tuple(headerName, token),
      fc.tuple(fc.constantFrom('X-Forwarded-For', 'x-forwarded-for'), fc.ipV4()),
    ),
    { maxLength: 14 },
  )
  .map((pairs) => pairs.flat());

const peer = fc.ipV4();

function namesOf(flat: readonly string[]): string[] {
  return flat.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

function valuesOf(flat: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() === name) out.push(flat[i + 1]!);
  return out;
}

/** Every name the client nominated in any Connection field (RFC 9110 §7.6.1). */
function nominatedBy(raw: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of valuesOf(raw, 'connection')) {
    for (const t of v.split(',')) {
      const name = t.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive') out.add(name);
    }
  }
  return out;
}

function policy(trustedHops: number): ForwardingPolicy {
  return { trustedHops, via: '1.1 sidelight', requestIdHeader: ID, traceResponseHeader: '' };
}

function request(raw: string[]): IncomingMessage {
  return { rawHeaders: raw } as IncomingMessage;
}

describe('buildRequestHeaders on random header sets', () => {
  it('passes on no hop-by-hop field and no Connection-nominated field but its own', () => {
    fc.assert(
      fc.property(rawHeaders, peer, fc.integer({ min: 0, max: 3 }), (raw, addr, hops) => {
        const out = namesOf(
          buildRequestHeaders(
            request(raw),
            { peerAddress: addr, proto: 'http', requestId: 'rid' },
            policy(hops),
            undefined,
            undefined,
          ),
        );
        for (const name of HOP_BY_HOP) expect(out).not.toContain(name);
        const own = new Set([...PROXY_FIELDS, ID]);
        for (const name of nominatedBy(raw)) if (!own.has(name)) expect(out, name).not.toContain(name);
      }),
    );
  });

  it('adds X-Forwarded-For, X-Forwarded-Proto, Via and the request id exactly once each', () => {
    fc.assert(
      fc.property(rawHeaders, peer, fc.integer({ min: 0, max: 3 }), (raw, addr, hops) => {
        const out = buildRequestHeaders(
          request(raw),
          { peerAddress: addr, proto: 'https', requestId: 'rid-1' },
          policy(hops),
          undefined,
          ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
        );
        const names = namesOf(out);
        for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'via', ID, 'traceparent']) {
          expect({ name, count: names.filter((n) => n === name).length }).toEqual({ name, count: 1 });
        }
        expect(names.filter((n) => n === 'x-forwarded-host').length).toBeLessThanOrEqual(1);
        expect(valuesOf(out, ID)).toEqual(['rid-1']);
        // The client's trace context never goes up: only the proxy's propagated one.
        expect(valuesOf(out, 'traceparent')).toEqual([
          '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        ]);
        expect(valuesOf(out, 'via')[0]!.endsWith('1.1 sidelight')).toBe(true);
      }),
    );
  });

  it('ends X-Forwarded-For with the peer for every trustedHops 0..3, keeping client entries only when trusted', () => {
    fc.assert(
      fc.property(rawHeaders, peer, fc.integer({ min: 0, max: 3 }), (raw, addr, hops) => {
        const out = buildRequestHeaders(
          request(raw),
          { peerAddress: addr, proto: 'http', requestId: 'rid' },
          policy(hops),
          undefined,
          undefined,
        );
        const [xff] = valuesOf(out, 'x-forwarded-for');
        const entries = xff!.split(', ');
        expect(entries.at(-1)).toBe(addr);
        const clientSent = nominatedBy(raw).has('x-forwarded-for') ? [] : valuesOf(raw, 'x-forwarded-for');
        const expected = hops === 0 || clientSent.length === 0 ? addr : `${clientSent.join(', ')}, ${addr}`;
        expect(xff).toBe(expected);
      }),
    );
  });
});

describe('buildResponseHeaders on random header sets', () => {
  /** Random response headers as undici parses them: lower-case names, arrays for repeats. */
  const parsed = rawHeaders.map((raw) => {
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const prev = out[name];
      if (prev === undefined) out[name] = raw[i + 1]!;
      else out[name] = [...(Array.isArray(prev) ? prev : [prev]), raw[i + 1]!];
    }
    return out;
  });

  it('passes back no hop-by-hop or nominated field; Via and the request id exactly once', () => {
    fc.assert(
      fc.property(parsed, fc.integer({ min: 0, max: 3 }), (headers, hops) => {
        const out = buildResponseHeaders(headers, 'rid-2', policy(hops), undefined);
        const names = namesOf(out);
        for (const name of HOP_BY_HOP) expect(names).not.toContain(name);
        const connection = headers.connection;
        const nominated = nominatedBy(
          (Array.isArray(connection) ? connection : connection === undefined ? [] : [connection]).flatMap(
            (v) => ['connection', v],
          ),
        );
        for (const name of nominated) if (name !== 'via' && name !== ID) expect(names).not.toContain(name);
        expect(names.filter((n) => n === 'via')).toHaveLength(1);
        expect(valuesOf(out, ID)).toEqual(['rid-2']);
      }),
    );
  });
});
