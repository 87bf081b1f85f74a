/**
 * Smoke test of the instruction-count benchmark: `bench/instructions.ts
 * --quick` runs the bare reference and Sidelight under callgrind and writes
 * its results. Asserts the run succeeds and every count is a positive number
 * of instructions per request; never asserts a performance number.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'sidelight-instructions-test-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run bench:instructions -- --quick', () => {
  it('counts instructions per request for the bare reference and Sidelight', {
    timeout: 600_000,
  }, async () => {
    const child = spawn(
      join(root, 'node_modules/.bin/node'),
      ['bench/instructions.ts', '--quick', '--only', 'bare-reference,sidelight-default', '--out-dir', outDir],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
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
