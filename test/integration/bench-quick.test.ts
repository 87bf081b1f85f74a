/**
 * Smoke test of the benchmark harness: `bench/run.ts --quick` with the bare
 * reference and nginx (the harness falls back or skips when nginx is missing,
 * so nothing here is skipped). Asserts the run succeeds and the result files
 * have the documented shape; never asserts a performance number.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchScript } from '../helpers/bench.ts';

const outDir = mkdtempSync(join(tmpdir(), 'sidelight-bench-test-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function runBench(args: string[]) {
  return runBenchScript('bench/run.ts', args);
}

const summary = expect.objectContaining({
  median: expect.any(Number),
  min: expect.any(Number),
  max: expect.any(Number),
  spreadPct: expect.any(Number),
  n: 1,
});

describe('npm run bench -- --quick', () => {
  it('runs bare-reference and nginx and writes results with the expected shape', {
    timeout: 180_000,
  }, async () => {
    const r = await runBench(['--quick', '--only', 'bare-reference,nginx', '--out-dir', outDir]);
    expect(r.code, `stderr:\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toContain('## Closed loop');
    expect(r.stdout).toContain('## Budgets');

    const files = readdirSync(outDir).sort();
    const json = files.find((f) => /^quick-\d{4}-\d{2}-\d{2}\.json$/.test(f));
    const md = files.find((f) => /^quick-\d{4}-\d{2}-\d{2}\.md$/.test(f));
    expect(json, files.join(', ')).toBeDefined();
    expect(md, files.join(', ')).toBeDefined();
    expect(readFileSync(join(outDir, md!), 'utf8')).toContain('| contender |');

    const res = JSON.parse(readFileSync(join(outDir, json!), 'utf8'));
    expect(res).toMatchObject({
      schemaVersion: 1,
      mode: 'quick',
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      machine: {
        cpuModel: expect.any(String),
        cores: expect.any(Number),
        node: expect.stringMatching(/^v\d+/),
        versions: expect.any(Object),
      },
      setup: { rounds: 1, durationS: 2, upstream: { kind: expect.stringMatching(/^(nginx|node)$/) } },
      failures: [],
      budgets: expect.any(Array),
      ratios: expect.any(Object),
      microbenchmarks: [],
    });
    expect(res.contenders.map((c: { name: string }) => c.name)).toEqual(['bare-reference', 'nginx']);

    const bare = res.contenders[0];
    expect(bare).toMatchObject({
      kind: 'reference',
      status: 'ok',
      pid: expect.any(Number),
      rssMiB: { idle: expect.any(Number), afterLoad: expect.any(Number) },
      closedLoop: { rps: summary, p99Ms: summary },
      fixedRate: { p50Us: summary, p99Us: summary, p999Us: summary },
      streaming: { rps: summary, mibPerSec: summary },
    });
    expect(bare.closedLoop.samples).toHaveLength(1);
    expect(bare.closedLoop.samples[0]).toMatchObject({ round: 1, rps: expect.any(Number), errors: 0 });
    expect(bare.fixedRate.samples[0]).toMatchObject({
      round: 1,
      count: expect.any(Number),
      errors: 0,
      added: { p50Us: expect.any(Number), p99Us: expect.any(Number), p999Us: expect.any(Number) },
    });
    expect(bare.streaming.samples[0]).toMatchObject({ round: 1, mibPerSec: expect.any(Number), errors: 0 });

    // nginx is measured when installed, reported as skipped otherwise.
    const nginx = res.contenders[1];
    expect(['ok', 'skipped']).toContain(nginx.status);
    if (nginx.status === 'ok') expect(nginx.closedLoop.samples).toHaveLength(1);

    expect(res.direct).toMatchObject({ kind: 'direct', status: 'ok', fixedRate: { p50Us: summary } });
    // No Sidelight contender ran, so every budget is reported and none is judged:
    // each one names the contender it missed and passes as null, never true or false.
    expect(res.budgets.map((b: { name: string }) => b.name)).toEqual([
      'sidelight-default req/s vs bare-reference',
      ...['caddy', 'fastify-http-proxy', 'http-proxy'].map((p) => `sidelight-default req/s vs ${p}`),
      'sidelight-full req/s vs bare-reference',
      'sidelight-full req/s vs naive-telemetry',
      ...['sidelight-default', 'sidelight-full'].flatMap((n) =>
        ['p99', 'p99.9'].map((p) => `${n} added latency ${p} at 2,000 req/s vs bare-reference's`),
      ),
      'sidelight-default 1 MiB streaming vs bare-reference',
      ...['sidelight-default', 'sidelight-full'].flatMap((n) => [`${n} RSS idle`, `${n} RSS after load`]),
      'OTLP export batch serialisation p99 (event-loop stall)',
    ]);
    for (const b of res.budgets) {
      expect(b).toEqual({
        name: b.name,
        target: expect.stringMatching(
          /^(>= [\d.]+x|<= [\d.]+x bare( \(\+[\d.]+ (µs|ms)\))?|<= \d+ MiB|<= 1 ms)$/,
        ),
        actual: expect.stringMatching(/^n\/a \((sidelight-(default|full)|otlp-batch) not measured\)$/),
        pass: null,
      });
    }
  });
});
