/**
 * The performance budgets from the project brief and issue #10: evaluated on a run's
 * contender results, and rendered as the report's "Budgets" section. A missed
 * budget is reported, never fails the run.
 */
import { fmtUs, row } from './report-format.ts';
import type { BenchResults, BudgetCheck, ContenderResult, MicroResult } from './report-types.ts';

/** The performance budgets from the project brief, evaluated on this run. */
export function checkBudgets(contenders: ContenderResult[], micro: MicroResult[] = []): BudgetCheck[] {
  const by = new Map(contenders.filter((c) => c.status === 'ok').map((c) => [c.name, c]));
  const checks: BudgetCheck[] = [];
  const ratio = (
    name: string,
    a: string,
    b: string,
    min: number,
    pick: (c: ContenderResult) => number | undefined,
  ) => {
    const x = by.get(a);
    const y = by.get(b);
    const va = x && pick(x);
    const vb = y && pick(y);
    if (!va || !vb) {
      checks.push({ name, target: `>= ${min}x`, actual: `n/a (${!va ? a : b} not measured)`, pass: null });
      return;
    }
    const r = va / vb;
    checks.push({ name, target: `>= ${min}x`, actual: `${r.toFixed(2)}x`, pass: r >= min });
  };
  const rps = (c: ContenderResult) => c.closedLoop.rps?.median;
  // Issue #10: the shipped defaults near the bare reference and ahead of peers without telemetry;
  // full tracing well ahead of the telemetry a user would bolt on.
  ratio('sidelight-default req/s vs bare-reference', 'sidelight-default', 'bare-reference', 0.85, rps);
  for (const peer of ['caddy', 'fastify-http-proxy', 'http-proxy'])
    ratio(`sidelight-default req/s vs ${peer}`, 'sidelight-default', peer, 1.0, rps);
  ratio('sidelight-full req/s vs bare-reference', 'sidelight-full', 'bare-reference', 0.6, rps);
  ratio('sidelight-full req/s vs naive-telemetry', 'sidelight-full', 'naive-telemetry', 1.3, rps);

  // Added latency at 2,000 req/s, relative to the bare reference's added latency in the same run.
  const bareAdded = by.get('bare-reference')?.fixedRate.added;
  for (const name of ['sidelight-default', 'sidelight-full']) {
    const added = by.get(name)?.fixedRate.added;
    const limits: [keyof NonNullable<typeof added>, string, number][] = [
      ['p99Us', 'p99', 1.25],
      ['p999Us', 'p99.9', 1.5],
    ];
    for (const [key, label, factor] of limits) {
      const v = added?.[key].median;
      const base = bareAdded?.[key].median;
      const limit = base === undefined ? undefined : Math.max(base, 0) * factor;
      checks.push({
        name: `${name} added latency ${label} at 2,000 req/s vs bare-reference's`,
        target: limit === undefined ? `<= ${factor}x bare` : `<= ${factor}x bare (+${fmtUs(limit)})`,
        actual: v === undefined ? `n/a (${name} not measured)` : `${v >= 0 ? '+' : ''}${fmtUs(v)}`,
        pass: v === undefined || limit === undefined ? null : v <= limit,
      });
    }
  }
  ratio(
    'sidelight-default 1 MiB streaming vs bare-reference',
    'sidelight-default',
    'bare-reference',
    0.95,
    (c) => c.streaming.mibPerSec?.median,
  );
  for (const name of ['sidelight-default', 'sidelight-full']) {
    const c = by.get(name);
    for (const [key, label, limit] of [
      ['idle', 'idle', 80],
      ['afterLoad', 'after load', 140],
    ] as const) {
      const v = c?.rssMiB[key];
      checks.push({
        name: `${name} RSS ${label}`,
        target: `<= ${limit} MiB`,
        actual: v === undefined ? `n/a (${name} not measured)` : `${v.toFixed(1)} MiB`,
        pass: v === undefined ? null : v <= limit,
      });
    }
  }
  // Issue #10 item 5: one export batch serialises (synchronously, on the event loop) in <= 1 ms.
  const batch = micro.find((m) => m.name === 'otlp-batch' && m.status === 'ok')?.result?.p99Ms;
  checks.push({
    name: 'OTLP export batch serialisation p99 (event-loop stall)',
    target: '<= 1 ms',
    actual: typeof batch === 'number' ? `${batch.toFixed(3)} ms` : 'n/a (otlp-batch not measured)',
    pass: typeof batch === 'number' ? batch <= 1 : null,
  });
  return checks;
}

/** The "Budgets" section of the Markdown report, as lines to be joined with "\n". */
export function budgetsSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Budgets');
  out.push('');
  out.push(row(['check', 'target', 'actual', 'result']));
  out.push(row(['---', '---', '---:', '---']));
  for (const b of r.budgets) {
    out.push(row([b.name, b.target, b.actual, b.pass === null ? 'n/a' : b.pass ? 'pass' : '**FAIL**']));
  }
  out.push('');
  if (r.mode === 'quick')
    out.push('_Quick mode: budgets are reported for orientation; only a full run counts._\n');
  return out;
}
