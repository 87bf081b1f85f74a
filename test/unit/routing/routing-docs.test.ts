/**
 * docs/routing.md's example table is what the router does: the routes in its
 * YAML block, provisioned as a config would be, give each row's result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../../src/config/load.ts';
import { provision } from '../../../src/config/provision.ts';

const markdown = readFileSync(new URL('../../../docs/routing.md', import.meta.url), 'utf8');

function exampleRoutes(): unknown {
  const block = /^```yaml\n([\s\S]*?)^```$/m.exec(markdown);
  if (block === null) throw new Error('docs/routing.md has no yaml block');
  return (parseYaml(block[1]!) as { routes: unknown }).routes;
}

function exampleRows(): { method: string; host: string; path: string; result: string }[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^\| Method +\| Host +\| Path +\| Result +\|$/.test(l));
  if (start === -1) throw new Error('docs/routing.md has no example table');
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [method, host, path, result] = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim().replace(/`/g, ''));
    rows.push({ method: method!, host: host!, path: path!, result: result! });
  }
  return rows;
}

describe('docs/routing.md', () => {
  const config = validateConfig(
    { upstream: { endpoints: [{ url: 'http://127.0.0.1:1' }] }, routes: exampleRoutes() },
    'docs/routing.md',
  );
  const runtime = provision(config, 1, 'docs/routing.md');
  void runtime.upstream.destroy();
  const rows = exampleRows();

  it('has an example table', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it.each(rows)('$method $path (Host: $host) -> $result', ({ method, host, path, result }) => {
    const found = runtime.router.find(method, host === '' ? undefined : host, path);
    const described =
      found.kind === 'match'
        ? found.value.name
        : found.kind === 'method_not_allowed'
          ? `405, Allow: ${found.allowed.join(', ')}`
          : '404';
    expect(described).toBe(result);
  });
});
