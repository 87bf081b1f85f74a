/**
 * docs/config.md cannot drift from the schema: the reference part is what the
 * generator produces, and the examples are valid configs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DOCS_FILE, END, START, updateConfigDocs } from '../../../scripts/gen-config-docs.ts';
import { loadConfig, validateConfig } from '../../../src/config/load.ts';
import { provision } from '../../../src/config/provision.ts';
import { configSchema } from '../../../src/config/schema.ts';

const markdown = readFileSync(DOCS_FILE, 'utf8');

function codeBlocks(lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

describe('docs/config.md', () => {
  it('has the reference the generator produces from the schema', () => {
    const expected = updateConfigDocs(markdown);
    if (expected !== markdown) {
      expect.fail(
        'docs/config.md is out of date with src/config/schema.ts: run `npm run docs:config` and commit the result',
      );
    }
  });

  it('documents every top-level field and nothing else', () => {
    const reference = markdown.slice(markdown.indexOf(START), markdown.indexOf(END));
    const documented = [...reference.matchAll(/^### `(\w+)`$/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(configSchema.shape));
  });

  it('has a YAML example that is a valid config', async () => {
    const [example] = codeBlocks('yaml');
    expect(example).toBeDefined();
    const config = validateConfig(parseYaml(example!), 'docs/config.md');
    const runtime = provision(config, 1, 'docs/config.md');
    await runtime.upstream.destroy();
    expect(config.routes.map((r) => r.name)).toEqual(['item', 'orders', 'legacy', 'api']);
  });

  it('has the TypeScript example that tsc checks and the loader loads (test/fixtures/config/docs-example.config.ts)', async () => {
    const [example] = codeBlocks('ts');
    const fixture = 'test/fixtures/config/docs-example.config.ts';
    expect(example).toBe(readFileSync(fixture, 'utf8'));
    const config = await loadConfig(fixture);
    expect(config.routes.map((r) => r.name)).toEqual(['item', 'orders', 'api']);
  });
});
