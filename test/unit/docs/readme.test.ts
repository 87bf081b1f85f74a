/**
 * The README is checked against the code: the CLI block is the real --help
 * text, the npm scripts and docs it names exist, the admin paths it lists are
 * the ones the admin server serves, and the pipeline it draws is the real order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../../src/cli/args.ts';
import { PIPELINE } from '../../../src/pipeline/pipeline.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('README', () => {
  it('shows the CLI usage exactly as --help prints it', () => {
    const block = /## CLI\n\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block).toBe(USAGE);
  });

  it('names only npm scripts that exist', () => {
    const used = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!);
    expect(used).toContain('demo');
    for (const name of used) expect(pkg.scripts[name], `npm script "${name}"`).toBeDefined();
    expect(readme).toContain('npm test');
    expect(pkg.scripts.test).toBeDefined();
  });

  it('links only to files that exist', () => {
    for (const m of readme.matchAll(/\]\(((?:docs|bench|scripts)\/[^)]+)\)/g)) {
      expect(existsSync(new URL(`../../../${m[1]}`, import.meta.url)), m[1]).toBe(true);
    }
    expect(existsSync(new URL('../../../scripts/setup.sh', import.meta.url))).toBe(true);
  });

  it('draws the pipeline in the order the code runs it', () => {
    const flow = /## How a request flows\n\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
    const drawn = [...flow.matchAll(/^\s*-> (\w+)/gm)].map((m) => m[1]).filter((p) => p !== 'finish');
    expect(drawn).toEqual(PIPELINE.map((p) => p.name));
  });
});
