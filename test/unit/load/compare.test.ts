import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { DriveResult } from '../../../load/runner/http-driver.ts';
import { stamp } from '../../../load/runner/machine.ts';
import { type RunRecord, writeResult } from '../../../load/runner/result.ts';
import { SCENARIOS } from '../../../load/scenarios/index.ts';

const CLI = fileURLToPath(new URL('../../../load/runner/compare.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sidelight-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A result folder whose one run took `latencyMs` per request, 10 requests a second for 2 s. */
function result(name: string, latencyMs: number): string {
  const drive: DriveResult = {
    requests: Array.from({ length: 20 }, (_, i) => ({
      t: i / 10,
      latencyMs,
      status: 200,
      failed: false,
      bytes: 1024,
    })),
    iterations: [],
    durationSeconds: 2,
    maxLagMs: 0,
    generationsSeen: [],
  };
  const runs: RunRecord[] = [
    {
      label: 'sidelight',
      target: 'http://127.0.0.1:1',
      drive,
      obs: { sidelight: undefined, rssGrowthBytes: undefined, rewrites: 0 },
      config: undefined,
    },
  ];
  const out = join(dir, name);
  mkdirSync(out);
  writeResult(out, {
    def: SCENARIOS[0]!,
    scale: 0.1,
    durationSeconds: 2,
    stamp: stamp(),
    runs,
    verdicts: [{ name: 'http_req_duration: p(99)<50', pass: latencyMs < 50, detail: `p99 ${latencyMs}ms` }],
    notes: [],
  });
  return out;
}

describe('npm run load:compare', () => {
  it('puts two runs side by side with the change from A to B', () => {
    const a = result('a', 4);
    const b = result('b', 60);
    const p = spawnSync(process.execPath, [CLI, a, join(b, 'result.json')], { encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('# S01 steady-baseline vs S01 steady-baseline');
    expect(p.stdout).toContain('| p99 ms | 4 | 60 | +1400.0% |');
    expect(p.stdout).toContain('| verdict | PASS | FAIL | |');
    expect(p.stdout).toContain('| `http_req_duration: p(99)<50` | pass: p99 4ms | **FAIL**: p99 60ms |');
    // The per-second series behind the charts is in the JSON.
    const doc = JSON.parse(readFileSync(join(a, 'result.json'), 'utf8'));
    expect(doc.runs[0].perSecond.map((s: { requests: number }) => s.requests)).toEqual([10, 10]);
  });

  it('refuses a folder that holds no load result', () => {
    const p = spawnSync(process.execPath, [CLI, dir, dir], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/result\.json/);
  });
});
