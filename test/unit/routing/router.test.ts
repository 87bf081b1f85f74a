import { describe, expect, it } from 'vitest';
import {
  type RouteDefinition,
  type RouteMatch,
  Router,
  RouteSyntaxError,
} from '../../../src/routing/router.ts';

type Def = Partial<RouteDefinition<string>> & { path: string };

/** Routes whose value is their template unless given; any method and host unless given. */
function router(...defs: Def[]): Router<string> {
  return new Router(defs.map((d) => ({ methods: [], hosts: [], value: d.path, ...d })));
}

function get(r: Router<string>, path: string, host?: string, method = 'GET'): RouteMatch<string> {
  return r.find(method, host, path);
}

/** [template, params] of a match, or the result kind. */
function hit(r: Router<string>, path: string, host?: string, method = 'GET'): unknown {
  const m = r.find(method, host, path);
  return m.kind === 'match' ? [m.template, m.params] : m.kind;
}

describe('Router: static routes', () => {
  it('matches exact paths only', () => {
    const r = router({ path: '/' }, { path: '/a' }, { path: '/a/b' }, { path: '/a/b/' });
    expect(hit(r, '/')).toEqual(['/', {}]);
    expect(hit(r, '/a')).toEqual(['/a', {}]);
    expect(hit(r, '/a/b')).toEqual(['/a/b', {}]);
    expect(hit(r, '/a/b/')).toEqual(['/a/b/', {}]);
    expect(hit(r, '/a/')).toBe('not_found');
    expect(hit(r, '/a/b/c')).toBe('not_found');
    expect(hit(r, '/A')).toBe('not_found');
  });

  it('returns the value and the template exactly as written', () => {
    const r = new Router([{ path: '/users/:id(\\d+)', methods: [], hosts: [], value: 42 }]);
    expect(r.find('GET', undefined, '/users/7')).toEqual({
      kind: 'match',
      value: 42,
      template: '/users/:id(\\d+)',
      params: { id: '7' },
    });
  });

  it('treats "::" as a literal colon', () => {
    const r = router({ path: '/v1/jobs/:id/run' }, { path: '/v1/jobs/::cancel' }, { path: '/v1/x::y' });
    expect(hit(r, '/v1/jobs/:cancel')).toEqual(['/v1/jobs/::cancel', {}]);
    expect(hit(r, '/v1/x:y')).toEqual(['/v1/x::y', {}]);
  });

  it('handles many static siblings (hashed children)', () => {
    const defs = Array.from({ length: 50 }, (_, i) => ({ path: `/svc${i}/items` }));
    const r = router(...defs, { path: '/svc7/:id' });
    expect(hit(r, '/svc31/items')).toEqual(['/svc31/items', {}]);
    expect(hit(r, '/svc7/other')).toEqual(['/svc7/:id', { id: 'other' }]);
    expect(hit(r, '/svc50/items')).toBe('not_found');
  });
});

describe('Router: params and wildcards', () => {
  it('captures raw (still percent-encoded) segments', () => {
    const r = router({ path: '/users/:id/files/:name' });
    expect(hit(r, '/users/a%20b/files/x%2Ey')).toEqual([
      '/users/:id/files/:name',
      { id: 'a%20b', name: 'x%2Ey' },
    ]);
  });

  it('requires a non-empty segment for a param', () => {
    const r = router({ path: '/users/:id' }, { path: '/n/:id(\\d*)' });
    expect(hit(r, '/users/')).toBe('not_found');
    expect(hit(r, '/users')).toBe('not_found');
    expect(hit(r, '/n/')).toBe('not_found');
  });

  it('anchors a regex to the whole segment', () => {
    const r = router({ path: '/n/:id(\\d+)' }, { path: '/alt/:v(a|b)' });
    expect(hit(r, '/n/123')).toEqual(['/n/:id(\\d+)', { id: '123' }]);
    expect(hit(r, '/n/123x')).toBe('not_found');
    expect(hit(r, '/n/x123')).toBe('not_found');
    expect(hit(r, '/alt/a')).toEqual(['/alt/:v(a|b)', { v: 'a' }]);
    expect(hit(r, '/alt/ab')).toBe('not_found');
  });

  it('accepts a regex containing "/" or parentheses within one segment', () => {
    const r = router({ path: '/f/:name([^/.]+)/:ext((?:png|jpe?g))' });
    expect(hit(r, '/f/logo/jpeg')).toEqual([
      '/f/:name([^/.]+)/:ext((?:png|jpe?g))',
      { name: 'logo', ext: 'jpeg' },
    ]);
    expect(hit(r, '/f/logo/gif')).toBe('not_found');
  });

  it('captures zero or more remaining segments with a trailing wildcard', () => {
    const r = router({ path: '/static/*' }, { path: '/*' });
    expect(hit(r, '/static')).toEqual(['/static/*', { '*': '' }]);
    expect(hit(r, '/static/')).toEqual(['/static/*', { '*': '' }]);
    expect(hit(r, '/static/app.js')).toEqual(['/static/*', { '*': 'app.js' }]);
    expect(hit(r, '/static/css/a/site.css')).toEqual(['/static/*', { '*': 'css/a/site.css' }]);
    expect(hit(r, '/static/dir/')).toEqual(['/static/*', { '*': 'dir/' }]);
    expect(hit(r, '/')).toEqual(['/*', { '*': '' }]);
    expect(hit(r, '/other/x')).toEqual(['/*', { '*': 'other/x' }]);
  });

  it('captures params together with the wildcard', () => {
    const r = router({ path: '/t/:tenant/files/*' });
    expect(hit(r, '/t/acme/files/a/b')).toEqual(['/t/:tenant/files/*', { tenant: 'acme', '*': 'a/b' }]);
  });

  it('uses the param names of the route that won, when shapes coincide', () => {
    const r = router({ path: '/u/:id', methods: ['GET'] }, { path: '/u/:name', methods: ['POST'] });
    expect(hit(r, '/u/x', undefined, 'GET')).toEqual(['/u/:id', { id: 'x' }]);
    expect(hit(r, '/u/x', undefined, 'POST')).toEqual(['/u/:name', { name: 'x' }]);
  });

  it('returns fresh params objects for parametric routes', () => {
    const r = router({ path: '/u/:id' });
    const a = get(r, '/u/1');
    const b = get(r, '/u/2');
    expect(a.kind === 'match' && a.params).toEqual({ id: '1' });
    expect(b.kind === 'match' && b.params).toEqual({ id: '2' });
  });
});

describe('Router: priorities', () => {
  const r = router(
    { path: '/users/*' },
    { path: '/users/:name' },
    { path: '/users/:id(\\d+)' },
    { path: '/users/me' },
  );

  it('prefers static > regex param > plain param > wildcard, regardless of list order', () => {
    expect(hit(r, '/users/me')).toEqual(['/users/me', {}]);
    expect(hit(r, '/users/42')).toEqual(['/users/:id(\\d+)', { id: '42' }]);
    expect(hit(r, '/users/bob')).toEqual(['/users/:name', { name: 'bob' }]);
    expect(hit(r, '/users/bob/x')).toEqual(['/users/*', { '*': 'bob/x' }]);
    expect(hit(r, '/users')).toEqual(['/users/*', { '*': '' }]);
  });

  it('decides segment by segment from the left', () => {
    const r2 = router({ path: '/:a/b/c' }, { path: '/a/:b/:c' });
    // The static first segment wins although the other route has more statics.
    expect(hit(r2, '/a/b/c')).toEqual(['/a/:b/:c', { b: 'b', c: 'c' }]);
  });

  it('prefers a route ending at the end of the path over a wildcard matching nothing', () => {
    const r2 = router({ path: '/a/*' }, { path: '/a' });
    expect(hit(r2, '/a')).toEqual(['/a', {}]);
  });

  it('tries regexes in order of first declaration', () => {
    const r2 = router({ path: '/x/:w([a-z0-9]+)' }, { path: '/x/:n(\\d+)' });
    expect(hit(r2, '/x/12')).toEqual(['/x/:w([a-z0-9]+)', { w: '12' }]);
  });
});

describe('Router: backtracking', () => {
  it('falls back to a param branch when the static branch fails deeper', () => {
    const r = router({ path: '/users/me/settings' }, { path: '/users/:id/posts' });
    expect(hit(r, '/users/me/posts')).toEqual(['/users/:id/posts', { id: 'me' }]);
    expect(hit(r, '/users/me/settings')).toEqual(['/users/me/settings', {}]);
  });

  it('falls back through regex, param and wildcard branches in order', () => {
    const r = router(
      { path: '/f/a/x' },
      { path: '/f/:n(\\d+)/y' },
      { path: '/f/:p/z' },
      { path: '/f/*' },
      { path: '/f/:n(\\d+)/:q' },
    );
    expect(hit(r, '/f/a/x')).toEqual(['/f/a/x', {}]);
    expect(hit(r, '/f/1/y')).toEqual(['/f/:n(\\d+)/y', { n: '1' }]);
    expect(hit(r, '/f/1/z')).toEqual(['/f/:n(\\d+)/:q', { n: '1', q: 'z' }]);
    expect(hit(r, '/f/a/z')).toEqual(['/f/:p/z', { p: 'a' }]);
    expect(hit(r, '/f/a/w')).toEqual(['/f/*', { '*': 'a/w' }]);
    expect(hit(r, '/f/a/x/more')).toEqual(['/f/*', { '*': 'a/x/more' }]);
  });

  it('does not leak captures from an abandoned branch', () => {
    const r = router({ path: '/:a/:b/c' }, { path: '/:x/y' }, { path: '/:x/*' });
    expect(hit(r, '/p/q/d')).toEqual(['/:x/*', { x: 'p', '*': 'q/d' }]);
    expect(hit(r, '/p/y')).toEqual(['/:x/y', { x: 'p' }]);
  });

  it('backtracks past a leaf whose routes do not allow the method', () => {
    const r = router({ path: '/users/me', methods: ['GET'] }, { path: '/users/:id', methods: ['DELETE'] });
    expect(hit(r, '/users/me', undefined, 'DELETE')).toEqual(['/users/:id', { id: 'me' }]);
  });

  it('backtracks past a leaf whose routes do not match the host', () => {
    const r = router({ path: '/users/me', hosts: ['admin.example.com'] }, { path: '/users/:id' });
    expect(hit(r, '/users/me', 'www.example.com')).toEqual(['/users/:id', { id: 'me' }]);
    expect(hit(r, '/users/me', 'admin.example.com')).toEqual(['/users/me', {}]);
  });
});

describe('Router: methods, 404 and 405', () => {
  const r = router(
    { path: '/items', methods: ['GET', 'HEAD'] },
    { path: '/items', methods: ['POST'] },
    { path: '/items/:id', methods: ['PUT', 'DELETE'] },
    { path: '/items/:id(\\d+)', methods: ['PATCH'] },
    { path: '/any' },
  );

  it('matches a method listed by a route; methods: [] allows any', () => {
    expect(hit(r, '/items', undefined, 'POST')).toEqual(['/items', {}]);
    expect(hit(r, '/items', undefined, 'HEAD')).toEqual(['/items', {}]);
    expect(hit(r, '/any', undefined, 'PROPFIND')).toEqual(['/any', {}]);
  });

  it('answers method_not_allowed with the sorted union of allowed methods', () => {
    expect(get(r, '/items', undefined, 'DELETE')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['GET', 'HEAD', 'POST'],
    });
    // Both /items/:id and /items/:id(\d+) match the path.
    expect(get(r, '/items/7', undefined, 'GET')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['DELETE', 'PATCH', 'PUT'],
    });
    expect(get(r, '/items/x', undefined, 'GET')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['DELETE', 'PUT'],
    });
  });

  it('answers not_found when no route matches the path', () => {
    expect(get(r, '/nothing')).toEqual({ kind: 'not_found' });
    expect(get(r, '/items/1/2')).toEqual({ kind: 'not_found' });
    expect(get(r, '')).toEqual({ kind: 'not_found' });
    expect(get(router(), '/')).toEqual({ kind: 'not_found' });
  });

  it('only counts routes matching the host towards 405', () => {
    const r2 = router({ path: '/a', methods: ['GET'], hosts: ['a.com'] }, { path: '/a', methods: ['POST'] });
    expect(get(r2, '/a', 'b.com', 'GET')).toEqual({ kind: 'method_not_allowed', allowed: ['POST'] });
    expect(get(r2, '/a', 'a.com', 'PUT')).toEqual({ kind: 'method_not_allowed', allowed: ['GET', 'POST'] });
    const r3 = router({ path: '/a', methods: ['GET'], hosts: ['a.com'] });
    expect(get(r3, '/a', 'b.com', 'POST')).toEqual({ kind: 'not_found' });
  });

  it('upper-cases route methods', () => {
    expect(hit(router({ path: '/a', methods: ['get'] }), '/a', undefined, 'GET')).toEqual(['/a', {}]);
  });
});

describe('Router: duplicates', () => {
  it('lets the first route with the same template win, per method', () => {
    const r = router(
      { path: '/a', methods: ['GET'], value: 'first' },
      { path: '/a', methods: ['GET', 'POST'], value: 'second' },
      { path: '/a', value: 'third' },
    );
    expect(r.find('GET', undefined, '/a')).toMatchObject({ value: 'first' });
    expect(r.find('POST', undefined, '/a')).toMatchObject({ value: 'second' });
    expect(r.find('PUT', undefined, '/a')).toMatchObject({ value: 'third' });
  });

  it('lets an earlier any-method route win over a later specific one', () => {
    const r = router({ path: '/a', value: 'any' }, { path: '/a', methods: ['GET'], value: 'get' });
    expect(r.find('GET', undefined, '/a')).toMatchObject({ value: 'any' });
  });

  it('treats templates of the same shape as duplicates (first wins)', () => {
    const r = router({ path: '/u/:id', value: 'id' }, { path: '/u/:name', value: 'name' });
    expect(r.find('GET', undefined, '/u/1')).toMatchObject({ value: 'id', template: '/u/:id' });
  });
});

describe('Router: hosts', () => {
  const r = router(
    { path: '/', value: 'default' },
    { path: '/', hosts: ['*.example.com'], value: 'wild' },
    { path: '/', hosts: ['*.eu.example.com'], value: 'wild-eu' },
    { path: '/', hosts: ['api.example.com', 'API.other.org'], value: 'api' },
    { path: '/', hosts: ['[::1]'], value: 'v6' },
  );
  const value = (host: string | undefined): unknown => {
    const m = r.find('GET', host, '/');
    return m.kind === 'match' ? m.value : m.kind;
  };

  it('prefers an exact host, then the longest wildcard suffix, then no restriction', () => {
    expect(value('api.example.com')).toBe('api');
    expect(value('api.other.org')).toBe('api');
    expect(value('www.example.com')).toBe('wild');
    expect(value('a.b.example.com')).toBe('wild');
    expect(value('x.eu.example.com')).toBe('wild-eu');
    expect(value('example.com')).toBe('default');
    expect(value('other.org')).toBe('default');
    expect(value(undefined)).toBe('default');
  });

  it('ignores case, the port and a trailing dot of the request host', () => {
    expect(value('API.Example.COM:8443')).toBe('api');
    expect(value('www.example.com:80')).toBe('wild');
    expect(value('api.example.com.')).toBe('api');
    expect(value('[::1]:8080')).toBe('v6');
    expect(value('[::1]')).toBe('v6');
  });

  it('does not match a host-restricted route without a Host', () => {
    const r2 = router({ path: '/a', hosts: ['a.com'] });
    expect(get(r2, '/a', undefined)).toEqual({ kind: 'not_found' });
    expect(get(r2, '/a', '')).toEqual({ kind: 'not_found' });
    expect(hit(r2, '/a', 'a.com:1')).toEqual(['/a', {}]);
  });

  it('does not let a host-specific route beat a better path match', () => {
    const r2 = router({ path: '/a/:x', hosts: ['a.com'] }, { path: '/a/b' });
    expect(hit(r2, '/a/b', 'a.com')).toEqual(['/a/b', {}]);
  });
});

describe('Router: template errors', () => {
  const bad = (path: string, hosts: string[] = [], methods: string[] = []): RouteSyntaxError => {
    try {
      new Router([
        { path: '/ok', methods: [], hosts: [], value: 0 },
        { path, methods, hosts, value: 1 },
      ]);
    } catch (err) {
      expect(err).toBeInstanceOf(RouteSyntaxError);
      expect((err as RouteSyntaxError).index).toBe(1);
      return err as RouteSyntaxError;
    }
    throw new Error(`expected ${path} to be rejected`);
  };

  it.each([
    ['a/b', /must start with "\/"/],
    ['', /must start with "\/"/],
    ['/a//b', /empty segment/],
    ['/file-:id.png', /whole segment/],
    ['/:id.png', /":id" must span a whole segment/],
    ['/x:y', /whole segment.*"::"/],
    ['/:id(\\d+)x', /whole segment/],
    ['/a/*/b', /wildcard "\*" may only be the last segment/],
    ['/a*', /wildcard "\*" must be a whole segment/],
    ['/:', /needs a name/],
    ['/:(\\d+)', /needs a name/],
    ['/:a/:a', /duplicate parameter name "a"/],
    ['/:id(\\d+', /unterminated regex/],
    ['/:id()', /empty regex/],
    ['/:id([)', /unterminated regex/],
    ['/:id(a{2,1})', /invalid regex/],
    ['/:id(+)', /invalid regex/],
    ['/a/../b', /dot segments/],
    ['/:__proto__', /__proto__/],
  ])('rejects %s', (path, message) => {
    const err = bad(path);
    expect(err.message).toMatch(message);
    if (path !== '') expect(err.message).toContain(JSON.stringify(path));
  });

  it.each([
    ['*', /hosts: \[\]/],
    ['a.*.com', /leading "\*\."/],
    ['*.a*b.com', /malformed/],
    ['example.com:8080', /port/],
  ])('rejects host pattern %s', (host, message) => {
    expect(bad('/x', [host]).message).toMatch(message);
  });

  it('rejects an invalid method', () => {
    expect(bad('/x', [], ['GET POST']).message).toMatch(/invalid method/);
  });

  it('accepts every documented form', () => {
    expect(
      () =>
        new Router([
          { path: '/', methods: [], hosts: [], value: 0 },
          { path: '/*', methods: [], hosts: [], value: 0 },
          { path: '/a/:b/:c(\\d+)/d/*', methods: ['GET'], hosts: ['x.com', '*.y.com'], value: 0 },
          { path: '/a/', methods: [], hosts: [], value: 0 },
          { path: '/a/:b/', methods: [], hosts: [], value: 0 },
        ]),
    ).not.toThrow();
  });
});
