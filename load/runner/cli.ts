/**
 * `npm run load -- S01 [S04 ...|all] [--scale 0.1] [--duration 30] [--target URL] [--admin URL] [--out DIR]`
 *
 * Exit status: 0 every verdict passed; 1 a verdict failed; 2 a scenario was
 * refused (not runnable yet, unknown) or the arguments are wrong. `all` runs
 * every runnable scenario and lists the refused ones with their reason.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS } from '../scenarios/index.ts';
import { refusal } from '../scenarios/types.ts';
import { RESULTS_DIR, runScenario, ScenarioNotRunnableError, UnknownScenarioError } from './run-scenario.ts';

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UnknownScenarioError(`--${name} ${raw}: expected a positive number`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      duration: { type: 'string' },
      target: { type: 'string' },
      admin: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) {
    process.stderr.write(
      'usage: npm run load -- <S01..S12|all> [--scale N] [--duration S] [--target URL] [--admin URL]\n',
    );
    return 2;
  }
  const all = positionals.some((p) => p.toLowerCase() === 'all');
  const ids = all ? SCENARIOS.filter((s) => refusal(s) === undefined).map((s) => s.id) : positionals;
  if (all) for (const s of SCENARIOS) if (refusal(s)) process.stderr.write(`skipped: ${refusal(s)}\n`);
  const scale = positive('scale', values.scale);
  const durationSeconds = positive('duration', values.duration);
  let code = 0;
  let ran = 0;
  for (const id of ids) {
    try {
      const r = await runScenario({
        id,
        ...(values.target ? { target: values.target } : {}),
        ...(values.admin ? { adminUrl: values.admin } : {}),
        ...(scale ? { scale } : {}),
        ...(durationSeconds ? { durationSeconds } : {}),
        ...(values.out ? { outDir: ids.length > 1 ? join(values.out, id.toUpperCase()) : values.out } : {}),
        quiet: values.quiet,
      });
      ran++;
      if (!r.verdicts.every((v) => v.pass)) code = Math.max(code, 1);
    } catch (err) {
      if (err instanceof ScenarioNotRunnableError || err instanceof UnknownScenarioError) {
        process.stderr.write(`${err.message}\n`);
        code = 2;
        continue;
      }
      throw err;
    }
  }
  if (ran > 1) process.stderr.write(`results under ${values.out ?? RESULTS_DIR}\n`);
  return code;
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  return 2;
});
