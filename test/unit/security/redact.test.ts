/**
 * The one secrets rule (issue 9, item 4): the schema's marks decide what is
 * redacted on /config and which values are scrubbed from every log line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.ts';
import { loadConfig, validateConfig } from '../../../src/config/load.ts';
import { REDACTED, Redactor, redactConfig, redactUrl, secretsOf } from '../../../src/security/redact.ts';
import { basicAuthorization, withAuthorization } from '../../../src/upstream/headers.ts';

const config = validateConfig(
  {
    upstream: {
      endpoints: [{ url: 'http://svc:p%40ss-w0rd@127.0.0.1:3000' }, { url: 'http://127.0.0.1:3001' }],
    },
    routes: [
      {
        name: 'api',
        match: { path: '/api/*' },
        headers: {
          request: {
            set: { Authorization: 'Bearer route-t0ken', 'x-team': 'edge' },
            add: { 'x-api-key': 'k3y-value', 'x-trace-note': 'see https://docs.example/x' },
          },
        },
      },
    ],
  },
  '<test>',
);

describe('redactConfig', () => {
  it('removes URL userinfo and the values of credential headers, and keeps everything else', () => {
    const shown = redactConfig(config) as typeof config;
    expect(shown.upstream.endpoints.map((e) => e.url)).toEqual([
      'http://[redacted]@127.0.0.1:3000',
      'http://127.0.0.1:3001',
    ]);
    const ops = shown.routes[0]!.headers!.request!;
    expect(ops.set).toEqual({ Authorization: REDACTED, 'x-team': 'edge' });
    expect(ops.add).toEqual({ 'x-api-key': REDACTED, 'x-trace-note': 'see https://docs.example/x' });
    expect(shown.listen).toEqual(config.listen);
    const text = JSON.stringify(shown);
    for (const s of secretsOf(config)) expect(text).not.toContain(s);
  });
});

describe('secretsOf', () => {
  it('finds each marked secret, in the forms it can be written in', () => {
    expect(secretsOf(config).sort()).toEqual(
      [
        'p%40ss-w0rd',
        'p@ss-w0rd',
        Buffer.from('svc:p@ss-w0rd').toString('base64'),
        'Bearer route-t0ken',
        'route-t0ken',
        'k3y-value',
      ].sort(),
    );
  });
});

describe('Redactor.scrub', () => {
  const redactor = new Redactor().addConfig(config).addHeaderList('x-honeycomb-team=hc-k3y,short=ab');

  it('replaces every known secret in a line, and the userinfo of any URL', () => {
    const line = JSON.stringify({
      msg: 'upstream said p@ss-w0rd',
      auth: `Basic ${Buffer.from('svc:p@ss-w0rd').toString('base64')}`,
      other: 'token route-t0ken and hc-k3y',
      url: 'https://someone:else@host.example/path',
      mail: 'ops@example.com',
    });
    const out = redactor.scrub(line);
    expect(JSON.parse(out)).toEqual({
      msg: `upstream said ${REDACTED}`,
      auth: `Basic ${REDACTED}`,
      other: `token ${REDACTED} and ${REDACTED}`,
      url: `https://${REDACTED}@host.example/path`,
      mail: 'ops@example.com',
    });
  });

  it('learns the credentials of a URL outside the config (an OTLP endpoint)', () => {
    const r = new Redactor().addUrl('http://otel:c0llector-pw@127.0.0.1:4318');
    expect(r.scrub('auth failed for c0llector-pw')).toBe(`auth failed for ${REDACTED}`);
  });

  it('finds a secret in its JSON-escaped form', () => {
    const r = new Redactor();
    r.add('pa"ss\\word');
    expect(r.scrub(JSON.stringify({ v: 'x pa"ss\\word y' }))).toBe(JSON.stringify({ v: `x ${REDACTED} y` }));
  });

  it('leaves lines without secrets untouched, and does not scrub values too short to be told apart', () => {
    const line = '{"msg":"access","short":"ab","status":200}';
    expect(redactor.scrub(line)).toBe(line);
  });
});

describe('redactUrl', () => {
  it('drops the whole userinfo, up to the last @ before the host', () => {
    expect(redactUrl('http://u:p@ss@127.0.0.1:1')).toBe('http://[redacted]@127.0.0.1:1');
    expect(redactUrl('http://127.0.0.1:1')).toBe('http://127.0.0.1:1');
  });
});

describe('Basic auth from userinfo', () => {
  it('is RFC 7617 Basic of the percent-decoded user and password', () => {
    expect(basicAuthorization(new URL('http://svc:p%40ss@h:1'))).toBe(
      `Basic ${Buffer.from('svc:p@ss').toString('base64')}`,
    );
    expect(basicAuthorization(new URL('http://h:1'))).toBeUndefined();
  });

  it('is added only when the request carries no Authorization of its own', () => {
    expect(withAuthorization(['host', 'h'], 'Basic x')).toEqual(['host', 'h', 'authorization', 'Basic x']);
    const own = ['Authorization', 'Bearer t'];
    expect(withAuthorization(own, 'Basic x')).toBe(own);
  });
});

describe('config problem messages', () => {
  it('never carry URL credentials, even when a config module throws with one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sidelight-redact-'));
    try {
      const file = join(dir, 'broken.config.mjs');
      await writeFile(file, "throw new Error('cannot reach http://svc:hunter2-pw@127.0.0.1:1/x');\n");
      const err = await loadConfig(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      const problem = (err as ConfigError).problems[0]!;
      expect(problem.message).toBe('cannot load module: cannot reach http://[redacted]@127.0.0.1:1/x');
      expect((err as ConfigError).message).not.toContain('hunter2-pw');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
