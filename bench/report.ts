/**
 * Result types, statistics (median, spread), budget checks and the Markdown
 * rendering of a benchmark run. Pure functions: no I/O.
 */

import type { FixedRateResult } from './load/fixed-rate.ts';

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  n: number;
}

export interface ClosedLoopSample {
  round: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** CPU time of the proxy process per request (user+sys), when measurable. */
  cpuUsPerReq?: number | undefined;
  errors: number;
  error?: string;
}

/** One round of the fixed-rate generator (its result, less the non-2xx split). */
export interface FixedRateSample extends Omit<FixedRateResult, 'non2xx'> {
  round: number;
  /** This sample minus the direct-to-upstream sample of the same round. */
  added?: { p50Us: number; p99Us: number; p999Us: number } | undefined;
  error?: string;
}

export interface StreamingSample {
  round: number;
  rps: number;
  mibPerSec: number;
  errors: number;
  error?: string;
}

export interface ScenarioResults {
  closedLoop: {
    samples: ClosedLoopSample[];
    rps?: Summary | undefined;
    p99Ms?: Summary | undefined;
    cpuUsPerReq?: Summary | undefined;
  };
  fixedRate: {
    samples: FixedRateSample[];
    p50Us?: Summary | undefined;
    p99Us?: Summary | undefined;
    p999Us?: Summary | undefined;
    added?: { p50Us: Summary; p99Us: Summary; p999Us: Summary } | undefined;
  };
  streaming: { samples: StreamingSample[]; rps?: Summary | undefined; mibPerSec?: Summary | undefined };
}

export interface ContenderResult extends ScenarioResults {
  name: string;
  kind: 'reference' | 'peer' | 'sidelight' | 'direct';
  status: 'ok' | 'failed' | 'skipped';
  error?: string | undefined;
  pid?: number | undefined;
  rssMiB: { idle?: number | undefined; afterLoad?: number | undefined };
}

export interface BudgetCheck {
  name: string;
  target: string;
  actual: string;
  /** null: could not be computed (a contender was not run or failed). */
  pass: boolean | null;
}

export interface MicroResult {
  name: string;
  file: string;
  status: 'ok' | 'failed' | 'missing';
  result?: Record<string, unknown>;
  error?: string;
}

export interface BenchResults {
  schemaVersion: 1;
  mode: 'quick' | 'full';
  date: string;
  startedAt: string;
  finishedAt: string;
  args: string[];
  machine: {
    cpuModel: string;
    cores: number;
    memTotalMiB: number;
    kernel: string;
    node: string;
    versions: Record<string, string | null>;
  };
  setup: {
    rounds: number;
    durationS: number;
    pinning: { proxyCore: number; loadCore: number } | null;
    upstream: { kind: 'nginx' | 'node'; note: string };
    closedLoop: { tool: string; path: string; connections: number; threads: number };
    fixedRate: { tool: string; path: string; rate: number; connections: number };
    streaming: { tool: string; path: string; connections: number; threads: number };
    sidelightNodeFlags: string[];
    /** Scheduling priority of every benchmark process (0: not changed). */
    nice: number;
    /** Machine-wide CPU busy % (all cores) measured for 1 s before and after the run, with nothing of ours running. */
    backgroundCpuPct: { before: number | null; after: number | null };
  };
  direct: ContenderResult;
  contenders: ContenderResult[];
  /** Closed-loop req/s (and 1 MiB MiB/s) ratios, e.g. "sidelight-default/bare-reference". */
  ratios: Record<string, number>;
  budgets: BudgetCheck[];
  microbenchmarks: MicroResult[];
  otlpSink: Record<string, { requests: number; bytes: number }> | null;
  failures: string[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function summarize(xs: number[]): Summary | undefined {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return undefined;
  const med = median(v);
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { median: med, min, max, spreadPct: med ? ((max - min) / med) * 100 : 0, n: v.length };
}

/** Fill the Summary fields of a contender from its samples (errored samples excluded). */
export function summarizeScenarios(r: ScenarioResults): void {
  const cl = r.closedLoop.samples.filter((s) => !s.error);
  r.closedLoop.rps = summarize(cl.map((s) => s.rps));
  r.closedLoop.p99Ms = summarize(cl.map((s) => s.p99Ms));
  r.closedLoop.cpuUsPerReq = summarize(
    cl.flatMap((s) => (s.cpuUsPerReq === undefined ? [] : [s.cpuUsPerReq])),
  );
  const fr = r.fixedRate.samples.filter((s) => !s.error);
  r.fixedRate.p50Us = summarize(fr.map((s) => s.p50Us));
  r.fixedRate.p99Us = summarize(fr.map((s) => s.p99Us));
  r.fixedRate.p999Us = summarize(fr.map((s) => s.p999Us));
  const added = fr.flatMap((s) => (s.added ? [s.added] : []));
  const a50 = summarize(added.map((a) => a.p50Us));
  const a99 = summarize(added.map((a) => a.p99Us));
  const a999 = summarize(added.map((a) => a.p999Us));
  r.fixedRate.added = a50 && a99 && a999 ? { p50Us: a50, p99Us: a99, p999Us: a999 } : undefined;
  const st = r.streaming.samples.filter((s) => !s.error);
  r.streaming.rps = summarize(st.map((s) => s.rps));
  r.streaming.mibPerSec = summarize(st.map((s) => s.mibPerSec));
}

export function computeRatios(contenders: ContenderResult[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  const by = new Map(contenders.map((c) => [c.name, c]));
  const bare = by.get('bare-reference');
  for (const c of contenders) {
    if (!bare || c === bare) continue;
    const a = c.closedLoop.rps?.median;
    const b = bare.closedLoop.rps?.median;
    if (a && b) ratios[`${c.name}/bare-reference`] = round(a / b, 3);
    const sa = c.streaming.mibPerSec?.median;
    const sb = bare.streaming.mibPerSec?.median;
    if (sa && sb) ratios[`${c.name}/bare-reference (1 MiB)`] = round(sa / sb, 3);
  }
  const pairs: [string, string][] = [
    ['sidelight-default', 'caddy'],
    ['sidelight-full', 'fastify-http-proxy'],
    ['sidelight-full', 'sidelight-default'],
  ];
  for (const [x, y] of pairs) {
    const a = by.get(x)?.closedLoop.rps?.median;
    const b = by.get(y)?.closedLoop.rps?.median;
    if (a && b) ratios[`${x}/${y}`] = round(a / b, 3);
  }
  return ratios;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The performance budgets from the project brief, evaluated on this run. */
export function checkBudgets(contenders: ContenderResult[]): BudgetCheck[] {
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
  ratio('sidelight-default req/s vs bare-reference', 'sidelight-default', 'bare-reference', 0.85, rps);
  ratio('sidelight-default req/s vs caddy', 'sidelight-default', 'caddy', 1.3, rps);
  ratio('sidelight-full req/s vs fastify-http-proxy', 'sidelight-full', 'fastify-http-proxy', 1.2, rps);

  for (const name of ['sidelight-default', 'sidelight-full']) {
    const added = by.get(name)?.fixedRate.added;
    const limits: [keyof NonNullable<typeof added>, string, number][] = [
      ['p50Us', 'p50', 250],
      ['p99Us', 'p99', 1000],
      ['p999Us', 'p99.9', 3000],
    ];
    for (const [key, label, limit] of limits) {
      const v = added?.[key].median;
      checks.push({
        name: `${name} added latency ${label} at 2,000 req/s`,
        target: `<= +${fmtUs(limit)}`,
        actual: v === undefined ? `n/a (${name} not measured)` : `${v >= 0 ? '+' : ''}${fmtUs(v)}`,
        pass: v === undefined ? null : v <= limit,
      });
    }
  }
  ratio(
    'sidelight-default 1 MiB streaming vs bare-reference',
    'sidelight-default',
    'bare-reference',
    0.9,
    (c) => c.streaming.mibPerSec?.median,
  );
  for (const name of ['sidelight-default', 'sidelight-full']) {
    const c = by.get(name);
    for (const [key, label, limit] of [
      ['idle', 'idle', 70],
      ['afterLoad', 'after load', 120],
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
  return checks;
}

// ---------------------------------------------------------------- Markdown

function fmtUs(us: number): string {
  const a = Math.abs(us);
  if (a >= 1000) return `${(us / 1000).toFixed(a >= 10_000 ? 1 : 2)} ms`;
  return `${Math.round(us)} µs`;
}

function fmtNum(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function fmtSpread(s: Summary | undefined, digits = 0): string {
  if (!s) return '–';
  if (s.n < 2) return 'n=1';
  return `${fmtNum(s.min, digits)}–${fmtNum(s.max, digits)} (±${(s.spreadPct / 2).toFixed(1)}%)`;
}

function fmtMaybeUs(v: number | undefined): string {
  return v === undefined ? '–' : fmtUs(v);
}

function fmtAdded(v: number | undefined): string {
  if (v === undefined) return '–';
  return `${v >= 0 ? '+' : '−'}${fmtUs(Math.abs(v))}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderMarkdown(r: BenchResults): string {
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
  out.push('');

  const all = [r.direct, ...r.contenders];
  const bare = r.contenders.find((c) => c.name === 'bare-reference');
  const label = (c: ContenderResult) => (c.kind === 'direct' ? '_direct to upstream (no proxy)_' : c.name);

  const cl = r.setup.closedLoop;
  out.push(`## Closed loop: GET ${cl.path}, \`wrk -t${cl.threads} -c${cl.connections}\``);
  out.push('');
  out.push(
    row([
      'contender',
      'req/s (median)',
      'spread (min–max)',
      'vs bare',
      'p99 latency',
      'CPU/req',
      'RSS idle',
      'RSS after',
    ]),
  );
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const c of all) {
    if (c.status !== 'ok') {
      out.push(
        row([
          c.name,
          c.status === 'skipped' ? `skipped: ${c.error ?? ''}` : 'FAILED',
          '',
          '',
          '',
          '',
          '',
          '',
        ]),
      );
      continue;
    }
    const med = c.closedLoop.rps?.median;
    const vsBare =
      med && bare?.closedLoop.rps?.median && c.kind !== 'direct'
        ? med / bare.closedLoop.rps.median
        : undefined;
    out.push(
      row([
        label(c),
        fmtNum(med),
        fmtSpread(c.closedLoop.rps),
        vsBare === undefined ? '–' : `${vsBare.toFixed(2)}x`,
        c.closedLoop.p99Ms ? `${c.closedLoop.p99Ms.median.toFixed(2)} ms` : '–',
        c.closedLoop.cpuUsPerReq ? `${c.closedLoop.cpuUsPerReq.median.toFixed(1)} µs` : '–',
        c.rssMiB.idle === undefined ? '–' : `${c.rssMiB.idle.toFixed(1)} MiB`,
        c.rssMiB.afterLoad === undefined ? '–' : `${c.rssMiB.afterLoad.toFixed(1)} MiB`,
      ]),
    );
  }
  out.push('');
  out.push(
    '_Direct_ runs wrk and the upstream on the same core, so it is the ceiling of the load core, not a proxy number. ' +
      'CPU/req is the proxy process’s user+system time divided by requests served.',
  );
  out.push('');

  const fr = r.setup.fixedRate;
  out.push(
    `## Added latency: GET ${fr.path} at ${fmtNum(fr.rate)} req/s, ${fr.connections} connections (${fr.tool})`,
  );
  out.push('');
  out.push(
    row(['contender', 'p50', 'p99', 'p99.9', 'added p50', 'added p99', 'added p99.9', 'generator lag p99']),
  );
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const c of all) {
    if (c.status !== 'ok') continue;
    const f = c.fixedRate;
    const lag = median(f.samples.filter((s) => !s.error).map((s) => s.lagP99Us));
    out.push(
      row([
        label(c),
        fmtMaybeUs(f.p50Us?.median),
        fmtMaybeUs(f.p99Us?.median),
        fmtMaybeUs(f.p999Us?.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p50Us.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p99Us.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p999Us.median),
        Number.isFinite(lag) ? fmtUs(lag) : '–',
      ]),
    );
  }
  out.push('');
  out.push(
    'Added = proxy percentile minus the direct-to-upstream percentile of the same round (median over rounds). ' +
      'A large generator lag means the load core was busy and tail numbers are noise.',
  );
  out.push('');

  const st = r.setup.streaming;
  out.push(`## 1 MiB streaming: GET ${st.path}, \`wrk -t${st.threads} -c${st.connections}\``);
  out.push('');
  out.push(row(['contender', 'req/s', 'MiB/s', 'spread (MiB/s)', 'vs bare']));
  out.push(row(['---', '---:', '---:', '---:', '---:']));
  for (const c of all) {
    if (c.status !== 'ok') continue;
    const mib = c.streaming.mibPerSec?.median;
    const bm = bare?.streaming.mibPerSec?.median;
    out.push(
      row([
        label(c),
        fmtNum(c.streaming.rps?.median),
        fmtNum(mib),
        fmtSpread(c.streaming.mibPerSec),
        mib && bm && c.kind !== 'direct' ? `${(mib / bm).toFixed(2)}x` : '–',
      ]),
    );
  }
  out.push('');

  if (r.microbenchmarks.length) {
    out.push('## Microbenchmarks');
    out.push('');
    out.push(row(['name', 'status', 'results']));
    out.push(row(['---', '---', '---']));
    for (const mb of r.microbenchmarks) {
      const res = mb.result
        ? Object.entries(mb.result)
            .map(
              ([k, v]) => `${k}: ${typeof v === 'number' ? fmtNum(v, v < 100 ? 2 : 0) : JSON.stringify(v)}`,
            )
            .join(', ')
        : (mb.error ?? '');
      out.push(row([mb.name, mb.status, res.replace(/\|/g, '\\|').replace(/\n/g, ' ')]));
    }
    out.push('');
  }

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

  if (r.otlpSink) {
    const parts = Object.entries(r.otlpSink).map(
      ([p, s]) => `${p}: ${fmtNum(s.requests)} requests, ${fmtNum(s.bytes / 1024 / 1024, 1)} MiB`,
    );
    out.push(`OTLP sink received ${parts.length ? parts.join('; ') : 'nothing'}.`);
    out.push('');
  }
  if (r.failures.length) {
    out.push('## Failures');
    out.push('');
    for (const f of r.failures) {
      const lines = f.split('\n').filter((l) => l.trim());
      out.push(`- ${lines[0]}`);
      // The last output line of the failed process usually says why.
      if (lines.length > 1) out.push(`  \`${lines[lines.length - 1]!.trim().slice(0, 300)}\``);
    }
    out.push('');
  }
  return out.join('\n');
}
