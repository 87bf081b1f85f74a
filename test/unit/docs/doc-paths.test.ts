/**
 * Docs match behaviour (issue #9): every file a doc links to or names exists,
 * and what is not built yet (retries, the auth and rate-limit phases) is only
 * ever mentioned as planned.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (doc: string) => readFileSync(join(ROOT, doc), 'utf8');

/** Top-level folders of the repository a doc may name a path in. */
const TOP = [
  'src',
  'test',
  'docs',
  'bench',
  'scripts',
  'bin',
  'dashboards',
  'deploy',
  'load',
  'otel',
  'compose',
];
const NAMED_PATH = new RegExp(`(?<![\\w/.:-])((?:${TOP.join('|')})/[\\w./-]*[\\w/])`, 'g');
const LINK = /\]\(([^)\s]+)\)/g;

describe('docs', () => {
  it('find some docs to check', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/config.md', 'docs/shutdown.md']));
  });

  for (const doc of DOCS) {
    it(`${doc} links only to files that exist`, () => {
      for (const [, target] of text(doc).matchAll(LINK)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const file = target!.split('#')[0]!;
        expect(existsSync(resolve(ROOT, dirname(doc), file)), `${doc}: link to ${target}`).toBe(true);
      }
    });

    it(`${doc} names only repository paths that exist`, () => {
      const named = [...text(doc).matchAll(NAMED_PATH)].map((m) => m[1]!);
      // Output folders (gitignored: made by a run) are named for where to look, not as files.
      const outputs = readFileSync(join(ROOT, '.gitignore'), 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('/') && !l.startsWith('/'));
      for (const path of named) {
        if (outputs.some((o) => path.startsWith(o))) continue;
        expect(existsSync(join(ROOT, path)), `${doc}: ${path}`).toBe(true);
      }
    });
  }
});

/** What is mentioned only as planned until it exists (issue #9). */
const NOT_BUILT = [
  /resend_count/,
  /retry polic/i,
  /sidelight\.(auth|rate_limit)/,
  /`(auth|rate_limit)`/,
  /\brate_limit\b/,
];

/** Table rows one by one, prose by paragraph: the word "planned" must be in the same unit. */
function units(markdown: string): string[] {
  const out: string[] = [];
  for (const para of markdown.split(/\n\s*\n/)) {
    if (para.trimStart().startsWith('|')) out.push(...para.split('\n'));
    else out.push(para);
  }
  return out;
}

describe('what is not built yet', () => {
  for (const doc of DOCS) {
    it(`${doc} mentions retries, auth and rate_limit only as planned`, () => {
      for (const unit of units(text(doc))) {
        if (NOT_BUILT.some((re) => re.test(unit))) expect(unit, doc).toMatch(/planned/i);
      }
    });
  }
});
