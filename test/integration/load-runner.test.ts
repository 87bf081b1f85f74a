/**
 * The local load runner end to end (issue #11): it drives a scenario through a
 * real Sidelight, judges the thresholds and writes the JSON result and the
 * Markdown report with SVG charts; it refuses scenarios Sidelight cannot run
 * yet with a one-line reason and exit status 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../load/runner/result.ts';
import { runScenario } from '../../load/runner/run-scenario.ts';
import { parseMetrics } from '../../load/runner/sidelight-metrics.ts';
import { SCENARIOS } from '../../load/scenarios/index.ts';
import { useCleanup, useDemoUpstream } from '../helpers/fixtures.ts';
import { startSidecar } from '../helpers/sidelight.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'load/runner/cli.ts');
const out = mkdtempSync(join(tmpdir(), 'sidelight-load-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const demo = useDemoUpstream();
const cleanup = useCleanup();

function readResult(path: string): ResultDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as ResultDocument;
}

describe('npm run load', () => {
  it('runs S01 against a given Sidelight: every request it sent is one Sidelight counted', async () => {
    const sidecar = await startSidecar(demo.url);
    cleanup.push(() => sidecar.close());
    // Traffic before the run: the run must report only its own share of Sidelight's counters.
    for (let i = 0; i < 5; i++) await (await fetch(`${sidecar.url}/api/items/${i}`)).arrayBuffer();
    const r = await runScenario({
      id: 'S01',
      target: sidecar.url,
      adminUrl: sidecar.adminUrl,
      durationSeconds: 3,
      scale: 0.02, // 20 req/s
      outDir: join(out, 'given'),
      quiet: true,
    });
    const metrics = parseMetrics(await (await fetch(`${sidecar.adminUrl}/metrics`)).text());
    const doc = readResult(r.jsonPath);
    expect(r.requests).toBe(60);
    expect(doc.runs[0]!.requests).toBe(r.requests);
    expect(metrics.requestsCounted).toBe(r.requests + 5);
    expect(doc.runs[0]!.sidelight!.requestsCounted).toBe(r.requests);
    expect(r.errors).toBe(0);
    expect(doc.runs[0]!.statuses).toEqual({ 200: 60 });
    expect(doc.verdicts.map((v) => v.name)).toEqual([
      'http_req_failed: rate==0',
      'http_req_duration: p(99)<50',
    ]);
    expect(doc.verdicts[0]).toMatchObject({ pass: true, detail: expect.stringContaining('0 of 60 failed') });
    expect(r.verdicts).toEqual(doc.verdicts);
    expect(Object.keys(doc.runs[0]!.sidelight!.phases).sort()).toEqual([
      'accept',
      'finish',
      'respond',
      'route',
      'upstream',
    ]);
    expect(doc.runs[0]!.sidelight!.phases.route!.count).toBe(60);
    expect(doc.runs[0]!.perSecond.map((p) => p.requests)).toEqual([20, 20, 20]);
    // A given target has no direct upstream to compare with: said so, not invented.
    expect(doc.runs.map((x) => x.label)).toEqual(['sidelight']);
    expect(doc.notes).toEqual([expect.stringContaining('variant direct skipped')]);
  });

  it("starts the demo service and a Sidelight process with the scenario's config when no target is given", async () => {
    const dir = join(out, 'own');
    const r = await runScenario({ id: 'S01', durationSeconds: 2, scale: 0.02, outDir: dir, quiet: true });
    const doc = readResult(r.jsonPath);
    expect(doc).toMatchObject({
      schema: 'sidelight-load-result/1',
      id: 'S01',
      scale: 0.02,
      durationSeconds: 2,
    });
    expect(doc.stamp.sidelightVersion).toBe(
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    );
    expect(doc.stamp.machine.cores).toBeGreaterThan(0);
    expect(doc.stamp.machine.node).toBe(process.version);
    expect(doc.runs.map((x) => [x.label, x.requests, x.failed])).toEqual([
      ['sidelight', 40, 0],
      ['direct', 40, 0],
    ]);
    expect(doc.runs[0]!.sidelight!.requestsCounted).toBe(40);
    // The config the Sidelight process ran with is the scenario's, recorded with the result.
    const config = JSON.parse(readFileSync(join(dir, 'sidelight.json'), 'utf8'));
    expect(config.routes).toEqual(SCENARIOS[0]!.sidelight.routes);
    expect(doc.runs[0]!.config).toEqual(config);
    expect(doc.reports.join('\n')).toMatch(/Added latency vs direct upstream: p50 -?[\d.]+ ms/);

    const md = readFileSync(r.markdownPath, 'utf8');
    expect(md).toMatch(/^# S01 steady-baseline: (PASS|FAIL)/);
    expect(md).toContain('| `http_req_failed: rate==0` | pass |');
    expect(md).toContain('| sidelight | 40 | 0 |');
    expect(md).toMatch(/\| route \| 40 \| [\d.]+ \| [\d.]+ \|/);
    for (const chart of ['latency', 'throughput', 'errors', 'phases']) {
      expect(md).toContain(`![${chart}](${chart}.svg)`);
      const svg = readFileSync(join(dir, `${chart}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg).toMatch(chart === 'phases' ? /<rect x="120"/ : /<polyline /);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
  });

  it('counts every config generation S11 writes under load, with no failed request', async () => {
    const r = await runScenario({
      id: 'S11',
      durationSeconds: 5,
      scale: 0.02,
      outDir: join(out, 's11'),
      quiet: true,
    });
    const run = readResult(r.jsonPath).runs[0]!;
    expect(run.rewrites).toBeGreaterThanOrEqual(1);
    expect(run.sidelight).toMatchObject({
      reloadsApplied: run.rewrites,
      reloadsRejected: 0,
      generation: run.rewrites + 1,
    });
    // Only generations the rewriter wrote (2, 3, ...) answered with its marker header.
    const written = Array.from({ length: run.rewrites }, (_, i) => String(i + 2));
    for (const g of run.generationsSeen) expect(written).toContain(g);
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(50);
    expect(r.verdicts.map((v) => [v.name, v.pass])).toEqual([
      ['http_req_failed: rate==0', true],
      ['sidelight_reloads_missed: value==0', true],
    ]);
  });

  it('refuses each scenario that needs a missing capability with one line and exit status 2', () => {
    const refused = SCENARIOS.filter((d) => d.requires);
    expect(refused.map((s) => s.id)).toEqual(['S02', 'S03', 'S06', 'S08', 'S09', 'S10', 'S12']);
    const p = spawnSync(process.execPath, [CLI, ...refused.map((s) => s.id)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(p.status).toBe(2);
    expect(p.stderr.split('\n').filter(Boolean)).toEqual(
      refused.map((s) => `${s.id} needs ${s.requires!.capability} (issue #${s.requires!.issue})`),
    );
    expect(p.stderr).toContain('S08 needs HTTP/2 listeners (issue #12)\n');
    expect(p.stdout).toBe('');
    const unknown = spawnSync(process.execPath, [CLI, 'S99'], { cwd: ROOT, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('unknown scenario "S99" (S01..S12)\n');
  });
});
