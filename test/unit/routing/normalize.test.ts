import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../../src/routing/normalize.ts';

const path = (raw: string): string | undefined => normalizePath(raw)?.path;

describe('normalizePath', () => {
  it('returns simple paths unchanged (fast path)', () => {
    for (const p of [
      '/',
      '/a',
      '/a/b/c',
      '/a/b/',
      '/file.txt',
      '/a/b.c.d',
      '/a-b_c~d',
      '/x:y@z',
      '/a..b',
      '/a.',
    ]) {
      expect(normalizePath(p)).toEqual({ path: p, query: '' });
    }
  });

  it('splits off the query unchanged and without the "?"', () => {
    expect(normalizePath('/a?x=1&y=%zz')).toEqual({ path: '/a', query: 'x=1&y=%zz' });
    expect(normalizePath('/a/./b?q=/../..')).toEqual({ path: '/a/b', query: 'q=/../..' });
    expect(normalizePath('/?')).toEqual({ path: '/', query: '' });
    expect(normalizePath('/a?b?c')).toEqual({ path: '/a', query: 'b?c' });
    // Only the path is checked: the query is forwarded as received.
    expect(normalizePath('/a?%2f%00\\')).toEqual({ path: '/a', query: '%2f%00\\' });
  });

  it('removes dot segments (RFC 3986 §5.2.4)', () => {
    expect(path('/a/./b/../c')).toBe('/a/c');
    expect(path('/a/b/c/./../../g')).toBe('/a/g');
    expect(path('/./a')).toBe('/a');
    expect(path('/.')).toBe('/');
    expect(path('/a/..')).toBe('/');
    expect(path('/a/../')).toBe('/');
    expect(path('/a/b/.')).toBe('/a/b/');
    expect(path('/a/b/..')).toBe('/a/');
    expect(path('/a/b/../')).toBe('/a/');
    expect(path('/a/./')).toBe('/a/');
    expect(path('/a/.../b')).toBe('/a/.../b');
    expect(path('/a/.b/..c/')).toBe('/a/.b/..c/');
  });

  it('treats %2e / %2E as a dot for dot segments only', () => {
    expect(path('/a/%2e%2e/b')).toBe('/b');
    expect(path('/a/%2E%2E/b')).toBe('/b');
    expect(path('/a/.%2e/b')).toBe('/b');
    expect(path('/a/%2e./b')).toBe('/b');
    expect(path('/a/%2e/b')).toBe('/a/b');
    expect(path('/a/b/%2E')).toBe('/a/b/');
    // Not dot segments: forwarded verbatim.
    expect(path('/a/%2e%2e%2e/b')).toBe('/a/%2e%2e%2e/b');
    expect(path('/a/%2efoo')).toBe('/a/%2efoo');
    expect(path('/a/file%2Ehtml')).toBe('/a/file%2Ehtml');
  });

  it('leaves other percent-encodings as they are', () => {
    expect(path('/caf%C3%A9/a%20b')).toBe('/caf%C3%A9/a%20b');
    expect(path('/a/%41')).toBe('/a/%41');
  });

  it('collapses repeated slashes before resolving dot segments', () => {
    expect(path('//a')).toBe('/a');
    expect(path('/a//b///c')).toBe('/a/b/c');
    expect(path('/a//')).toBe('/a/');
    expect(path('//')).toBe('/');
    expect(path('/a//../b')).toBe('/b');
    expect(path('//evil.example/x')).toBe('/evil.example/x');
  });

  it.each([
    ['', 'empty'],
    ['a/b', 'relative'],
    ['http://host/path', 'absolute-form'],
    ['example.com:443', 'authority-form'],
    ['*', 'asterisk-form'],
    ['/a/%2f/b', 'encoded slash'],
    ['/a%2Fb', 'encoded slash (upper case)'],
    ['/a/%5c', 'encoded backslash'],
    ['/a%5Cb', 'encoded backslash (upper case)'],
    ['/a\\b', 'raw backslash'],
    ['/a/..\\x', 'raw backslash in a dot segment'],
    ['/a\0b', 'NUL'],
    ['/a%00b', 'encoded NUL'],
    ['/a/%zz', 'invalid escape'],
    ['/a/%g0', 'invalid escape (first digit)'],
    ['/a/%0g', 'invalid escape (second digit)'],
    ['/a/%', 'truncated escape'],
    ['/a/%4', 'truncated escape (one digit)'],
    ['/a%4?x', 'truncated escape before the query'],
    ['/..', 'above the root'],
    ['/../x', 'above the root'],
    ['/a/../../x', 'above the root'],
    ['/%2e%2e/x', 'above the root (encoded)'],
    ['/./../x', 'above the root'],
    ['//..', 'above the root after collapsing'],
  ])('rejects %j (%s)', (raw) => {
    expect(normalizePath(raw)).toBeNull();
  });

  it('is idempotent on its output', () => {
    for (const raw of ['/a/./b/../c/', '/a//b/%2e/c', '/x/%2E%2E/y/./z', '/a/b/..']) {
      const once = path(raw)!;
      expect(path(once)).toBe(once);
    }
  });

  it('produces a fixed point without empty or dot segments (property)', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      '.',
      '..',
      '%2e',
      '%2E',
      '%41',
      '/',
      '//',
      '.a',
      'a.',
      '%',
      '%2f',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const raw = `/${pieces.join('')}`;
        const out = normalizePath(raw);
        if (out === null) return;
        expect(out.path.startsWith('/')).toBe(true);
        expect(out.path).not.toMatch(/\/\/|(^|\/)(\.|%2e){1,2}(\/|$)/i);
        expect(normalizePath(out.path)).toEqual({ path: out.path, query: '' });
        // WHATWG URL resolves dot segments (and %2e) the same way once slashes are collapsed.
        const collapsed = raw.replace(/\/{2,}/g, '/');
        expect(out.path).toBe(new URL(collapsed, 'http://h').pathname);
      }),
      { numRuns: 500 },
    );
  });
});
