/**
 * What `sidelight validate` and a rejected reload say: every problem names the
 * field path and reads as advice, never as zod's generic wording.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../../src/config/errors.ts';
import { validateConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/schema.ts';

const upstream = { endpoints: [{ url: 'http://127.0.0.1:3000' }] };

function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw, 'sidelight.yaml');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) expect(p.file).toBe('sidelight.yaml');
    return err.problems.map((p) => formatProblem(p).slice('sidelight.yaml: '.length));
  }
  throw new Error('the config was valid');
}

const valid = (raw: Record<string, unknown>): Config =>
  validateConfig({ upstream, ...raw }, 'sidelight.yaml');
const DURATION = 'expected a duration such as "250ms", "5s" or "2m" (or a number of milliseconds)';
const LISTEN = 'expected host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [0, 0],
    [42, 42],
  ])('%j is %d ms', (written, ms) => {
    expect(valid({ timeouts: { connect: written } }).timeouts.connect).toBe(ms);
  });

  it.each([
    ['5 sec', `timeouts.connect: ${DURATION}, not "5 sec"`],
    ['10', `timeouts.connect: ${DURATION}, not "10"`],
    ['', `timeouts.connect: ${DURATION}, not ""`],
    ['-1s', `timeouts.connect: ${DURATION}, not "-1s"`],
    [-1, `timeouts.connect: ${DURATION}; a number must be a whole, non-negative count`],
    [1.5, `timeouts.connect: ${DURATION}; a number must be a whole, non-negative count`],
    [true, `timeouts.connect: ${DURATION}`],
    [null, `timeouts.connect: ${DURATION}`],
  ])('rejects %j at its field with one readable message', (written, message) => {
    expect(problemsOf({ upstream, timeouts: { connect: written } })).toEqual([message]);
  });

  it('reports a bad duration deep in a route at the route field', () => {
    const routes = [
      { name: 'a', match: { path: '/' } },
      { name: 'b', match: { path: '/b' }, timeouts: { total: 'soon' } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([`routes[1].timeouts.total: ${DURATION}, not "soon"`]);
  });
});

describe('listen addresses', () => {
  it.each([
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['localhost:8080', { host: 'localhost', port: 8080 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65535 }],
  ])('%s is accepted', (written, parsed) => {
    expect(valid({ listen: written }).listen).toEqual(parsed);
  });

  it.each([
    ['localhost', `listen: ${LISTEN}, not "localhost"`],
    [':8080', `listen: ${LISTEN}, not ":8080"`],
    ['::1:8080', `listen: ${LISTEN}, not "::1:8080"`],
    ['127.0.0.1: 80', `listen: ${LISTEN}, not "127.0.0.1: 80"`],
    ['127.0.0.1:99999', `listen: ${LISTEN}; port 99999 is out of range 0..65535`],
    [8080, `listen: ${LISTEN}`],
  ])('rejects %j', (written, message) => {
    expect(problemsOf({ upstream, listen: written })).toEqual([message]);
  });

  it('reports the admin address at admin.listen', () => {
    expect(problemsOf({ upstream, admin: { listen: '9901' } })).toEqual([
      `admin.listen: ${LISTEN}, not "9901"`,
    ]);
  });
});

describe('unknown keys', () => {
  it('names the key and suggests the field it is probably a typo of', () => {
    expect(problemsOf({ upstream, tmeouts: { connect: '1s' } })).toEqual([
      'tmeouts: unrecognized key "tmeouts" (did you mean "timeouts"?)',
    ]);
    expect(problemsOf({ upstream, routes: [{ name: 'a', match: { pth: '/' } }] })).toEqual([
      'routes[0].match.path: required (expected a string)',
      'routes[0].match.pth: unrecognized key "pth" (did you mean "path"?)',
    ]);
    expect(problemsOf({ upstream: { ...upstream, keepAliveTimout: '1s' } })).toEqual([
      'upstream.keepAliveTimout: unrecognized key "keepAliveTimout" (did you mean "keepAliveTimeout"?)',
    ]);
  });

  it('lists the allowed keys when nothing is close, one problem per key', () => {
    expect(problemsOf({ upstream, shutdown: { grace: 1, when: 'now' } })).toEqual([
      'shutdown.grace: unrecognized key "grace" (expected one of "drainDelay", "drainTimeout")',
      'shutdown.when: unrecognized key "when" (expected one of "drainDelay", "drainTimeout")',
    ]);
  });
});

describe('routes', () => {
  it('reports template syntax errors at routes[i].match.path', () => {
    const routes = [
      { name: 'ok', match: { path: '/ok/:id' } },
      { name: 'a', match: { path: '/a/:' } },
      { name: 'b', match: { path: '/b/*/c' } },
      { name: 'c', match: { path: '/c/:id(\\d+' } },
      { name: 'd', match: { path: '/d/:id/:id' } },
      { name: 'e', match: { path: 'e' } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([
      'routes[1].match.path: invalid route template: a parameter needs a name after ":" (at 3)',
      'routes[2].match.path: invalid route template: the wildcard "*" may only be the last segment',
      'routes[3].match.path: invalid route template: unterminated regex for parameter "id"',
      'routes[4].match.path: invalid route template: duplicate parameter name "id"',
      'routes[5].match.path: a path template starts with "/"',
    ]);
  });

  it('reports host patterns at routes[i].match.hosts[j]', () => {
    const routes = [
      { name: 'a', match: { path: '/', hosts: ['api.example.com', 'a.example.com:8080', '*'] } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([
      'routes[0].match.hosts[1]: host pattern "a.example.com:8080" must not include a port (the request\'s port is ignored)',
      'routes[0].match.hosts[2]: host pattern "*": use hosts: [] to match any host',
    ]);
  });

  it('reports duplicate route names at the later route, together with other problems', () => {
    const routes = [
      { name: 'api', match: { path: '/api/*' } },
      { name: 'web', match: { path: '/*' } },
      { name: 'api', match: { path: '/v2/*', methods: 'GET' } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([
      'routes[2].match.methods: expected a list, not a string',
      'routes[2].name: duplicate route name "api" (first used by routes[0])',
    ]);
  });

  it('checks that replacePath only uses what the template captures', () => {
    const routes = [
      { name: 'a', match: { path: '/a/:id' }, rewrite: { replacePath: '/items/:id' } },
      { name: 'b', match: { path: '/b/:id' }, rewrite: { replacePath: '/items/:item/*' } },
      { name: 'c', match: { path: '/c/*' }, rewrite: { stripPrefix: '/c', replacePath: '/' } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([
      'routes[1].rewrite.replacePath: ":item" is not a parameter of the template "/b/:id"',
      'routes[1].rewrite.replacePath: "*" refers to the wildcard, but the template "/b/:id" has none',
      'routes[2].rewrite: set either stripPrefix or replacePath, not both',
    ]);
  });
});

describe('every problem', () => {
  const kitchenSink = {
    listen: 'anywhere',
    admin: { listen: 1 },
    upstream: {
      name: '',
      endpoints: [
        { url: 'http://user:s3cret@127.0.0.1:3000/base' },
        { url: 'ftp://127.0.0.1' },
        { url: 'not a url' },
        { weight: 0 },
      ],
      connections: 'many',
    },
    timeouts: { connect: 'soon', idle: '1s' },
    proxy: { trustedHops: -1, via: 'side light', requestIdHeader: 'x id' },
    routes: [
      {
        name: 'bad name!',
        match: { path: '/x/:', methods: ['get'], hosts: [''] },
        headers: { request: { set: { 'bad header': 'v' }, add: { ok: 'line\nbreak' } } },
        telemetry: { sampling: 2 },
      },
      'not a route',
    ],
    telemetry: { logLevel: 'loud', sampling: -0.1, keepWarnings: 'yes' },
    shutdown: { drainTimeout: {} },
  };

  it('has a field path and no generic wording', () => {
    const err = (() => {
      try {
        validateConfig(kitchenSink, 'sidelight.yaml');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('the config was valid');
    })();
    expect(err.problems.length).toBeGreaterThanOrEqual(25);
    for (const p of err.problems) {
      expect(p.path.length, formatProblem(p)).toBeGreaterThan(0);
      expect(p.message, formatProblem(p)).not.toMatch(
        /Invalid input|Invalid option|received undefined|Invalid key/,
      );
    }
  });

  it('never echoes an endpoint URL (it may carry credentials)', () => {
    const text = problemsOf(kitchenSink).join('\n');
    expect(text).toContain('upstream.endpoints[0].url: an endpoint is an origin');
    expect(text).not.toContain('s3cret');
  });

  it('names an invalid enum value and the choices', () => {
    expect(problemsOf({ upstream, telemetry: { logLevel: 'loud' } })).toEqual([
      'telemetry.logLevel: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", not "loud"',
    ]);
  });

  it('quotes record keys that are not plain words', () => {
    const routes = [
      { name: 'a', match: { path: '/' }, headers: { response: { set: { 'bad header': 'v' } } } },
    ];
    expect(problemsOf({ upstream, routes })).toEqual([
      'routes[0].headers.response.set["bad header"]: invalid key "bad header": not a valid header name (RFC 9110 token characters only)',
    ]);
  });

  it('says what type was expected, in words', () => {
    const routes = [{ name: 'a', match: { path: '/', methods: 'GET' } }, 'b'];
    expect(
      problemsOf({ upstream: { ...upstream, connections: 1.5 }, routes, telemetry: { keepWarnings: 'yes' } }),
    ).toEqual([
      'upstream.connections: expected a whole number, not a fraction',
      'routes[0].match.methods: expected a list, not a string',
      'routes[1]: expected a mapping, not a string',
      'telemetry.keepWarnings: expected true or false, not a string',
    ]);
  });

  it('says what a bound means', () => {
    expect(
      problemsOf({ upstream: { ...upstream, name: '', connections: 0 }, telemetry: { sampling: 1.5 } }),
    ).toEqual([
      'upstream.name: must not be empty',
      'upstream.connections: must be >= 1',
      'telemetry.sampling: must be <= 1',
    ]);
  });

  it('says "required" for a missing field', () => {
    expect(problemsOf({})).toEqual(['upstream: required (expected a mapping)']);
    expect(problemsOf({ upstream: { endpoints: [{}] } })).toEqual([
      'upstream.endpoints[0].url: required: expected an http:// or https:// URL',
    ]);
  });
});
