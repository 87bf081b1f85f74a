/**
 * Header building, example by example: route header operations, X-Forwarded-*
 * precedence, Via chaining, the request id rules and the peer address form.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  acceptableRequestId,
  buildRequestHeaders,
  buildResponseHeaders,
  compileHeaderOps,
  type ForwardingPolicy,
  peerAddressOf,
} from '../../../src/upstream/headers.ts';

const policy: ForwardingPolicy = {
  trustedHops: 0,
  via: '1.1 sidelight',
  requestIdHeader: 'x-request-id',
  traceResponseHeader: 'traceresponse',
};
const fwd = { peerAddress: '10.0.0.9', proto: 'http' as const, requestId: 'rid' };

function req(rawHeaders: string[], remoteAddress = '127.0.0.1'): IncomingMessage {
  return { rawHeaders, socket: { remoteAddress } } as unknown as IncomingMessage;
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe('compileHeaderOps', () => {
  it('is undefined when there is nothing to do', () => {
    expect(compileHeaderOps(undefined)).toBeUndefined();
    expect(compileHeaderOps({ add: {}, set: {}, remove: [] })).toBeUndefined();
  });

  it('lower-cases names; set drops and appends, add only appends, set before add', () => {
    const ops = compileHeaderOps({ add: { 'X-A': '1' }, set: { 'X-S': '2' }, remove: ['X-R'] })!;
    expect([...ops.drop].sort()).toEqual(['x-r', 'x-s']);
    expect(ops.append).toEqual(['x-s', '2', 'x-a', '1']);
  });
});

describe('buildRequestHeaders', () => {
  it('keeps end-to-end fields in order, duplicates and case included, then adds its own', () => {
    const out = buildRequestHeaders(
      req(['Host', 'h.test', 'Accept', 'a', 'accept', 'b', 'X-Request-Id', 'client']),
      fwd,
      policy,
      undefined,
      undefined,
    );
    expect(pairs(out)).toEqual([
      ['Host', 'h.test'],
      ['Accept', 'a'],
      ['accept', 'b'],
      ['x-forwarded-for', '10.0.0.9'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'h.test'],
      ['via', '1.1 sidelight'],
      ['x-request-id', 'rid'],
    ]);
  });

  it('from a trusted hop keeps the first X-Forwarded-Proto/Host and joins every X-Forwarded-For', () => {
    const out = buildRequestHeaders(
      req([
        'X-Forwarded-For',
        '1.1.1.1',
        'X-Forwarded-Proto',
        'https',
        'X-Forwarded-Proto',
        'http',
        'X-Forwarded-Host',
        'pub.example',
        'Host',
        'inner',
        'X-Forwarded-For',
        '2.2.2.2, 3.3.3.3',
      ]),
      fwd,
      { ...policy, trustedHops: 2 },
      undefined,
      undefined,
    );
    const got = Object.fromEntries(pairs(out).filter(([n]) => n.startsWith('x-forwarded')));
    expect(got).toEqual({
      'x-forwarded-for': '1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'pub.example',
    });
  });

  it('omits X-Forwarded-Host when there is no Host and nothing trusted', () => {
    const out = buildRequestHeaders(req(['X-Forwarded-Host', 'evil']), fwd, policy, undefined, undefined);
    expect(pairs(out).map(([n]) => n)).not.toContain('x-forwarded-host');
  });

  it('chains Via after the client entries, and a nominated Via is the client’s to drop', () => {
    const chained = buildRequestHeaders(
      req(['Via', '1.0 a', 'Via', '1.1 b']),
      fwd,
      policy,
      undefined,
      undefined,
    );
    expect(pairs(chained).filter(([n]) => n === 'via')).toEqual([['via', '1.0 a, 1.1 b, 1.1 sidelight']]);
    const nominated = buildRequestHeaders(
      req(['Connection', 'Via', 'Via', '1.0 a']),
      fwd,
      policy,
      undefined,
      undefined,
    );
    expect(pairs(nominated).filter(([n]) => n === 'via')).toEqual([['via', '1.1 sidelight']]);
  });

  it('applies route operations last, so they can replace even the proxy’s fields', () => {
    const ops = compileHeaderOps({ add: { 'x-add': 'a' }, set: { via: 'custom' }, remove: ['accept'] });
    const out = buildRequestHeaders(req(['Accept', 'x', 'Via', '1.0 a']), fwd, policy, ops, undefined);
    const got = pairs(out);
    expect(got.filter(([n]) => n.toLowerCase() === 'accept')).toEqual([]);
    expect(got.filter(([n]) => n === 'via')).toEqual([['via', 'custom']]);
    expect(got.at(-1)).toEqual(['x-add', 'a']);
  });
});

describe('buildResponseHeaders', () => {
  it('flattens repeats, chains Via and replaces the upstream’s request id', () => {
    const out = buildResponseHeaders(
      { 'set-cookie': ['a=1', 'b=2'], via: ['1.0 o1', '1.0 o2'], 'x-request-id': 'up', skip: undefined },
      'rid',
      policy,
      undefined,
    );
    expect(pairs(out)).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['via', '1.0 o1, 1.0 o2, 1.1 sidelight'],
      ['x-request-id', 'rid'],
    ]);
  });
});

describe('peerAddressOf', () => {
  it('unwraps IPv4-mapped IPv6 and keeps other forms', () => {
    expect(peerAddressOf(req([], '::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(peerAddressOf(req([], '::1'))).toBe('::1');
    expect(peerAddressOf({ socket: {} } as IncomingMessage)).toBe('');
  });
});

describe('acceptableRequestId', () => {
  it('keeps printable ASCII of 1..200 characters only', () => {
    expect(acceptableRequestId('abc-123_!~')).toBe('abc-123_!~');
    expect(acceptableRequestId('x'.repeat(200))).toBe('x'.repeat(200));
    for (const bad of ['', 'x'.repeat(201), 'has space', 'caf\u00e9', 'tab\t']) {
      expect(acceptableRequestId(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(acceptableRequestId(['a', 'b'])).toBeUndefined();
    expect(acceptableRequestId(undefined)).toBeUndefined();
  });
});
