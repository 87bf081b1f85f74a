/**
 * redactConfig: what /config shows. URL userinfo is replaced; everything
 * else, and the shape, is kept. Which config fields are secret is the
 * schema's to say (config/secret-marks.ts), tested with the one redaction
 * rule in test/unit/security/redact.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { redactConfig } from '../../../src/admin/redact.ts';

describe('redactConfig', () => {
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
