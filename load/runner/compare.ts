/**
 * `npm run load:compare -- A B`: two result folders (or their result.json)
 * side by side as Markdown on stdout — verdicts, the main run's latency and
 * throughput, and Sidelight's phase means.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_SCHEMA, type ResultDocument } from './result.ts';

export function loadResult(path: string): ResultDocument {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'result.json') : path;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as ResultDocument;
  if (doc.schema !== RESULT_SCHEMA)
    throw new Error(`${file}: not a load result (schema ${String(doc.schema)})`);
  return doc;
}

function delta(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) return '';
  const pct = ((b - a) / a) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

export function compareMarkdown(a: ResultDocument, b: ResultDocument, names: [string, string]): string {
  const ra = a.runs[0]!;
  const rb = b.runs[0]!;
  const row = (label: string, x: number, y: number) => `| ${label} | ${x} | ${y} | ${delta(x, y)} |`;
  const lines = [
    `# ${a.id} ${a.name} vs ${b.id} ${b.name}`,
    '',
    `| | A: ${names[0]} | B: ${names[1]} | B vs A |`,
    '| --- | ---: | ---: | ---: |',
    `| Sidelight | ${a.stamp.sidelightVersion} ${a.stamp.gitCommit ?? ''} | ${b.stamp.sidelightVersion} ${b.stamp.gitCommit ?? ''} | |`,
    `| machine | ${a.stamp.machine.cpuModel}, ${a.stamp.machine.cores} cores | ${b.stamp.machine.cpuModel}, ${b.stamp.machine.cores} cores | |`,
    `| scale / duration | ${a.scale} / ${a.durationSeconds} s | ${b.scale} / ${b.durationSeconds} s | |`,
    `| verdict | ${a.pass ? 'PASS' : 'FAIL'} | ${b.pass ? 'PASS' : 'FAIL'} | |`,
    row('requests', ra.requests, rb.requests),
    row('failed', ra.failed, rb.failed),
    row('req/s', ra.achievedRps, rb.achievedRps),
    row('p50 ms', ra.latencyMs.p50, rb.latencyMs.p50),
    row('p90 ms', ra.latencyMs.p90, rb.latencyMs.p90),
    row('p99 ms', ra.latencyMs.p99, rb.latencyMs.p99),
    row('max ms', ra.latencyMs.max, rb.latencyMs.max),
  ];
  const phases = new Set([
    ...Object.keys(ra.sidelight?.phases ?? {}),
    ...Object.keys(rb.sidelight?.phases ?? {}),
  ]);
  for (const p of phases) {
    lines.push(
      row(
        `phase ${p} mean ms`,
        ra.sidelight?.phases[p]?.meanMs ?? Number.NaN,
        rb.sidelight?.phases[p]?.meanMs ?? Number.NaN,
      ),
    );
  }
  lines.push('', '## Verdicts', '', '| threshold | A | B |', '| --- | --- | --- |');
  const names2 = new Set([...a.verdicts.map((v) => v.name), ...b.verdicts.map((v) => v.name)]);
  for (const n of names2) {
    const va = a.verdicts.find((v) => v.name === n);
    const vb = b.verdicts.find((v) => v.name === n);
    const cell = (v: typeof va) => (v === undefined ? '—' : `${v.pass ? 'pass' : '**FAIL**'}: ${v.detail}`);
    lines.push(`| \`${n}\` | ${cell(va)} | ${cell(vb)} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) {
  const [a, b] = process.argv.slice(2);
  if (a === undefined || b === undefined) {
    process.stderr.write('usage: npm run load:compare -- <result dir A> <result dir B>\n');
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write(compareMarkdown(loadResult(a), loadResult(b), [a, b]));
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    }
  }
}
