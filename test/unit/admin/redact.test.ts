/**
 * redactConfig: what /config shows. Values under secret-named keys and URL
 * userinfo are replaced; everything else, and the shape, is kept.
 */
import { describe, expect, it } from 'vitest';
import { redactConfig } from '../../../src/admin/redact.ts';

describe('redactConfig', () => {
  it('replaces string values under secret-named keys, at any depth and in arrays', () => {
    const out = redactConfig({
      auth: { clientSecret: 's', password: 'p', apiKey: 'k', api_key: 'k2', 'private-key': 'pk' },
      tokens: { token: 't', credentials: 'c', Authorization: 'Bearer x' },
      list: [{ secret: 'a' }, { name: 'keep' }],
      secret: ['x', 'y'],
    });
    expect(out).toEqual({
      auth: {
        clientSecret: '[redacted]',
        password: '[redacted]',
        apiKey: '[redacted]',
        api_key: '[redacted]',
        'private-key': '[redacted]',
      },
      tokens: { token: '[redacted]', credentials: '[redacted]', Authorization: '[redacted]' },
      list: [{ secret: '[redacted]' }, { name: 'keep' }],
      secret: ['[redacted]', '[redacted]'],
    });
  });

  it('replaces URL userinfo and keeps the rest of the URL', () => {
    expect(redactConfig({ url: 'redis://user:pw@127.0.0.1:6379/0' })).toEqual({
      url: 'redis://[redacted]@127.0.0.1:6379/0',
    });
    expect(redactConfig('http://127.0.0.1:3000/a@b')).toBe('http://127.0.0.1:3000/a@b');
  });

  it('keeps keys that only start with a secret word, numbers, numbers, booleans and null, and does not touch its input', () => {
    const input = {
      tokenBucket: { rate: 5 },
      tokenEndpoint: 'http://127.0.0.1/t',
      passwordPolicy: 'strict',
      keyspace: 'k',
      enabled: true,
      none: null,
      n: 1,
    };
    const copy = structuredClone(input);
    expect(redactConfig(input)).toEqual(input);
    expect(input).toEqual(copy);
  });

  it('redacts only strings under a secret key (numbers are not secrets by shape)', () => {
    expect(redactConfig({ password: 1234, token: { nested: 'x' } })).toEqual({
      password: 1234,
      token: { nested: 'x' },
    });
  });
});
