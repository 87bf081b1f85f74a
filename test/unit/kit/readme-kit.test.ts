/**
 * The README's "The shipped kit" section stays true to the kit: one paragraph
 * per shipped dashboard, the ports it tells users to open are the ones
 * compose publishes, and the compose commands name the real file and profile.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDashboards } from '../../helpers/dashboards.ts';

const ROOT = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
const start = readme.indexOf('## The shipped kit');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const compose = parse(readFileSync(new URL('compose/docker-compose.yml', ROOT), 'utf8')) as {
  services: Record<string, { ports?: string[]; profiles?: string[] }>;
};

describe('README: The shipped kit', () => {
  it('has one paragraph per shipped dashboard, and none for a dashboard that does not exist', () => {
    expect(start).toBeGreaterThan(0);
    const titles = [...loadDashboards().values()].map((d) => d.title.replace(/^Sidelight \/ /, '')).sort();
    const described = [...section.matchAll(/^- \*\*([^*]+)\*\*:/gm)].map((m) => m[1]!).sort();
    expect(described).toEqual(titles);
  });

  it('sends users to ports compose really publishes', () => {
    const published = new Set(
      Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => String(p).split(':')[0])),
    );
    const ports = [...section.matchAll(/http:\/\/localhost:(\d+)/g)].map((m) => m[1]!);
    expect(ports.length).toBeGreaterThanOrEqual(4);
    for (const p of ports) expect(published.has(p), `localhost:${p} is not published`).toBe(true);
  });

  it('starts the stack and the k6 profile with the real file and profile name', () => {
    expect(section).toContain('docker-compose -f compose/docker-compose.yml up -d --build');
    const [profile] = compose.services.k6!.profiles!;
    expect(section).toContain(
      `docker-compose -f compose/docker-compose.yml --profile ${profile} run --rm k6`,
    );
  });
});
