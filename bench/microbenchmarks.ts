/**
 * In-process microbenchmarks (`*.bench.ts`): the list of them and the runner,
 * which imports each module, calls its exported function and records the
 * result, a failure or a missing file.
 */
import { existsSync } from 'node:fs';
import { log } from './log.ts';
import type { MicroResult } from './report-types.ts';
import type { Options } from './run-options.ts';

/**
 * Microbenchmarks: each module exports an async function taking
 * `{ quick?: boolean }` and returning an object of numbers (ns/op, ratios...).
 * `file` is relative to bench/. A missing file is reported as "missing", not as
 * a failure. Add new ones here.
 */
export const MICROBENCHMARKS: { name: string; file: string; exportName: string }[] = [
  { name: 'router', file: './router.bench.ts', exportName: 'runRouterBench' },
  { name: 'phase-runner', file: './phase-runner.bench.ts', exportName: 'runPhaseRunnerBench' },
  { name: 'otlp-batch', file: './otlp-batch.bench.ts', exportName: 'runOtlpBatchBench' },
];

export async function runMicrobenchmarks(opts: Options): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const mb of MICROBENCHMARKS) {
    if (opts.only && !opts.only.includes(mb.name)) continue;
    const url = new URL(mb.file, import.meta.url);
    if (!existsSync(url)) {
      results.push({ name: mb.name, file: mb.file, status: 'missing' });
      continue;
    }
    log(`microbenchmark ${mb.name}`);
    // Their own progress output goes to stderr: stdout carries only the report.
    const stdoutWrite = process.stdout.write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
      const mod = (await import(url.href)) as Record<string, unknown>;
      const fn = mod[mb.exportName];
      if (typeof fn !== 'function') throw new Error(`${mb.file} does not export ${mb.exportName}()`);
      const result = (await fn({ quick: opts.quick })) as Record<string, unknown>;
      results.push({ name: mb.name, file: mb.file, status: 'ok', result });
    } catch (err) {
      results.push({
        name: mb.name,
        file: mb.file,
        status: 'failed',
        error: String((err as Error)?.stack ?? err),
      });
    } finally {
      process.stdout.write = stdoutWrite;
    }
  }
  return results;
}
