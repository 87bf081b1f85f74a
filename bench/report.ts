/**
 * The Markdown rendering of a benchmark run: header (machine and setup), the
 * scenario tables, microbenchmarks, budgets, OTLP sink and failures. Pure
 * functions: no I/O. Also the entry point for the report modules: it
 * re-exports the result types, statistics and budget checks.
 */
import { budgetsSection } from './report-budgets.ts';
import { fmtNum, row } from './report-format.ts';
import { addedLatencyTable, closedLoopTable, streamingTable } from './report-tables.ts';
import type { BenchResults } from './report-types.ts';

export { checkBudgets } from './report-budgets.ts';
export { computeRatios, median, summarize, summarizeScenarios } from './report-stats.ts';
export type {
  BenchResults,
  BudgetCheck,
  ClosedLoopSample,
  ContenderResult,
  FixedRateSample,
  MicroResult,
  ScenarioResults,
  StreamingSample,
  Summary,
} from './report-types.ts';

export function renderMarkdown(r: BenchResults): string {
  return [
    ...headerSection(r),
    ...closedLoopTable(r),
    ...addedLatencyTable(r),
    ...streamingTable(r),
    ...microbenchmarksSection(r),
    ...budgetsSection(r),
    ...otlpSinkSection(r),
    ...failuresSection(r),
  ].join('\n');
}

/** Title, machine, tools, pinning, upstream, rounds and background load. */
function headerSection(r: BenchResults): string[] {
  const out: string[] = [];
  const m = r.machine;
  const versions = Object.entries(m.versions)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `# Sidelight benchmark, ${r.date}${r.mode === 'quick' ? ' (quick smoke: numbers are indicative only)' : ''}`,
  );
  out.push('');
  out.push(
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memTotalMiB} MiB, Linux ${m.kernel}, Node ${m.node}`,
  );
  out.push(`- Tools: ${versions || 'none found'}`);
  out.push(
    `- Pinning: ${
      r.setup.pinning
        ? `proxy on core ${r.setup.pinning.proxyCore}; load generators, upstream and OTLP sink on core ${r.setup.pinning.loadCore}`
        : 'none (taskset missing or fewer than 2 cores)'
    }`,
  );
  out.push(`- Upstream: ${r.setup.upstream.note}`);
  out.push(
    `- Rounds: ${r.setup.rounds}, ${r.setup.durationS} s per test, contenders interleaved within each round; medians across rounds`,
  );
  const bg = r.setup.backgroundCpuPct;
  const bgMax = Math.max(bg.before ?? 0, bg.after ?? 0);
  out.push(
    `- Background CPU (other work, all cores) before/after: ${bg.before ?? '?'}% / ${bg.after ?? '?'}%${
      bgMax > 5 ? ' — **the machine was shared; treat numbers as noisy**' : ''
    }`,
  );
  if (r.setup.nice !== 0) out.push(`- All benchmark processes run at nice ${r.setup.nice}`);
  if (r.setup.sidelightNodeFlags.length)
    out.push(`- Sidelight node flags: \`${r.setup.sidelightNodeFlags.join(' ')}\``);
  const env = Object.entries(r.setup.sidelightEnv ?? {});
  if (env.length) out.push(`- Sidelight environment: \`${env.map(([k, v]) => `${k}=${v}`).join(' ')}\``);
  out.push('');
  return out;
}

function microbenchmarksSection(r: BenchResults): string[] {
  if (!r.microbenchmarks.length) return [];
  const out: string[] = [];
  out.push('## Microbenchmarks');
  out.push('');
  out.push(row(['name', 'status', 'results']));
  out.push(row(['---', '---', '---']));
  for (const mb of r.microbenchmarks) {
    const res = mb.result
      ? Object.entries(mb.result)
          .map(([k, v]) => `${k}: ${typeof v === 'number' ? fmtNum(v, v < 100 ? 2 : 0) : JSON.stringify(v)}`)
          .join(', ')
      : (mb.error ?? '');
    out.push(row([mb.name, mb.status, res.replace(/\|/g, '\\|').replace(/\n/g, ' ')]));
  }
  out.push('');
  return out;
}

function otlpSinkSection(r: BenchResults): string[] {
  if (!r.otlpSink) return [];
  const parts = Object.entries(r.otlpSink).map(
    ([p, s]) => `${p}: ${fmtNum(s.requests)} requests, ${fmtNum(s.bytes / 1024 / 1024, 1)} MiB`,
  );
  return [`OTLP sink received ${parts.length ? parts.join('; ') : 'nothing'}.`, ''];
}

function failuresSection(r: BenchResults): string[] {
  if (!r.failures.length) return [];
  const out: string[] = [];
  out.push('## Failures');
  out.push('');
  for (const f of r.failures) {
    const lines = f.split('\n').filter((l) => l.trim());
    out.push(`- ${lines[0]}`);
    // The last output line of the failed process usually says why.
    if (lines.length > 1) out.push(`  \`${lines[lines.length - 1]!.trim().slice(0, 300)}\``);
  }
  out.push('');
  return out;
}
