/**
 * Smoke test of the instruction-count benchmark: `bench/instructions.ts
 * --quick` runs the bare reference and Sidelight under callgrind and writes
 * its results. Asserts the run succeeds and every count is a positive number
 * of instructions per request; never asserts a performance number.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchScript } from '../helpers/bench.ts';

const outDir = mkdtempSync(join(tmpdir(), 'sidelight-instructions-test-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run bench:instructions -- --quick', () => {
  it('counts instructions per request for the bare reference and Sidelight', {
    timeout: 600_000,
  }, async () => {
    const { code, stdout, stderr } = await runBenchScript('bench/instructions.ts', [
      '--quick',
      '--only',
      'bare-reference,sidelight-default',
      '--out-dir',
      outDir,
    ]);
    expect(code, `stderr:\n${stderr.slice(-3000)}`).toBe(0);
    expect(stdout).toContain('| contender | instructions / request | vs bare |');

    const json = readdirSync(outDir).find((f) => /^quick-\d{4}-\d{2}-\d{2}-instructions\.json$/.test(f));
    expect(json).toBeDefined();
    const res = JSON.parse(readFileSync(join(outDir, json!), 'utf8'));
    expect(res).toMatchObject({ warmup: 200, requests: 200 });
    expect(res.rows.map((r: { name: string }) => r.name)).toEqual(['bare-reference', 'sidelight-default']);
    for (const row of res.rows) {
      expect(row).toMatchObject({ status: 'ok', instructionsPerRequest: expect.any(Number) });
      expect(row.instructionsPerRequest).toBeGreaterThan(0);
    }
    expect(res.rows[1].vsBare).toBeGreaterThan(0);
  });
});
