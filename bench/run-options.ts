/**
 * Command-line options of `bench/run.ts` (see its header for usage): parsing,
 * defaults (quick vs full runs, Sidelight's shipped V8 flags, nice level) and
 * validation. Bad arguments throw UsageError (exit status 2).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIDECAR_NODE_FLAGS } from '../src/cli/sidecar-settings.ts';

export interface Options {
  quick: boolean;
  rounds: number;
  durationS: number;
  only: string[] | undefined;
  nodeFlags: string[];
  outDir: string;
  nice: number;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      only: { type: 'string' },
      'node-flags': { type: 'string' },
      'out-dir': { type: 'string' },
      nice: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node bench/run.ts [--quick] [--rounds N] [--duration S] [--only a,b] [--node-flags=...] [--out-dir DIR] [--nice N]\n',
    );
    process.exit(0);
  }
  const num = (v: string | undefined, def: number, what: string) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${what} must be a positive number`);
    return n;
  };
  // Default: the V8 settings Sidelight ships with (bin/sidelight.js, npm start), so the
  // bench measures what users run. `--node-flags=` (empty) measures Node's defaults.
  const flags =
    values['node-flags'] ?? process.env.SIDELIGHT_BENCH_NODE_FLAGS ?? SIDECAR_NODE_FLAGS.join(' ');
  return {
    quick: values.quick,
    rounds: Math.round(num(values.rounds, values.quick ? 1 : 3, 'rounds')),
    durationS: Math.max(1, Math.round(num(values.duration, values.quick ? 2 : 10, 'duration'))),
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    nodeFlags: flags.split(/\s+/).filter(Boolean),
    outDir: values['out-dir'] ?? fileURLToPath(new URL('./results/', import.meta.url)),
    nice: parseNice(values.nice, values.quick),
  };
}

class UsageError extends Error {}

/**
 * Full runs default to nice -10 when root: on a shared 2-core machine other
 * work (editors, type checkers) otherwise lands on the measured cores. Quick
 * runs are smoke tests that often run next to other tests: default 0.
 */
function parseNice(v: string | undefined, quick: boolean): number {
  if (v === undefined) return !quick && process.getuid?.() === 0 ? -10 : 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new UsageError('--nice must be an integer in -20..19');
  return n;
}
