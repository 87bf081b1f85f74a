/**
 * The committed dashboard JSON is what the TypeScript builders produce
 * (`npm run dashboards` rewrites it): an edit to either side alone fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, render } from '../../../dashboards/src/index.ts';
import { DASHBOARD_JSON_DIR } from '../../helpers/dashboards.ts';

describe('dashboards/json is generated from dashboards/src', () => {
  it.each(DASHBOARDS.map((d) => [d.file, d] as const))('%s equals its builder output', (file, d) => {
    const committed = readFileSync(`${DASHBOARD_JSON_DIR}${file}`, 'utf8');
    expect(committed, `dashboards/json/${file} is stale: run npm run dashboards`).toBe(render(d.build()));
  });

  it('holds no JSON file that no builder writes', () => {
    const files = readdirSync(DASHBOARD_JSON_DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(DASHBOARDS.map((d) => d.file).sort());
  });
});
