/** Writes one run's `result.json` and `report.md` (with SVG charts) into its results folder. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { ScenarioDefinition } from '../scenarios/types.ts';
import type { DriveResult } from './http-driver.ts';
import type { Stamp } from './machine.ts';
import { histogramQuantile } from './sidelight-metrics.ts';
import { type IntervalPoint, type LatencySummary, perSecond, summarize } from './stats.ts';
import { barChart, lineChart } from './svg-chart.ts';
import type { RunObservations, Verdict } from './verdicts.ts';

export const RESULT_SCHEMA = 'sidelight-load-result/1';

export interface RunRecord {
  label: string;
  target: string;
  drive: DriveResult;
  obs: RunObservations;
  config: ConfigInput | undefined;
}

export interface RunSummary {
  label: string;
  target: string;
  requests: number;
  failed: number;
  statuses: Record<string, number>;
  achievedRps: number;
  bytes: number;
  latencyMs: LatencySummary;
  iterationMs: LatencySummary;
  /** Largest lateness of the arrival loop itself, ms. */
  maxLagMs: number;
  perSecond: IntervalPoint[];
  sidelight:
    | {
        requestsCounted: number;
        phases: Record<string, { count: number; meanMs: number; p99Ms: number }>;
        reloadsApplied: number;
        reloadsRejected: number;
        generation: number;
        cpuSeconds: number;
        requestsPerCpuSecond: number;
        rssGrowthBytes: number | undefined;
      }
    | undefined;
  rewrites: number;
  /** S11: config generations that answered requests (their `x-config-gen` header). */
  generationsSeen: string[];
  config: ConfigInput | undefined;
}

export interface ResultDocument {
  schema: typeof RESULT_SCHEMA;
  id: string;
  name: string;
  traffic: string;
  finishedAt: string;
  scale: number;
  durationSeconds: number;
  stamp: Stamp;
  verdicts: Verdict[];
  pass: boolean;
  reports: string[];
  notes: string[];
  runs: RunSummary[];
}

const round = (v: number, d = 3) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : null);

function summarizeRun(r: RunRecord, durationSeconds: number): RunSummary {
  const statuses: Record<string, number> = {};
  let bytes = 0;
  for (const s of r.drive.requests) {
    statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
    bytes += s.bytes;
  }
  const sl = r.obs.sidelight;
  return {
    label: r.label,
    target: r.target,
    requests: r.drive.requests.length,
    failed: r.drive.requests.filter((s) => s.failed).length,
    statuses,
    achievedRps: Math.round((r.drive.requests.length / durationSeconds) * 10) / 10,
    bytes,
    latencyMs: summarize(r.drive.requests.map((s) => s.latencyMs)),
    iterationMs: summarize(r.drive.iterations.map((s) => s.latencyMs)),
    maxLagMs: Math.round(r.drive.maxLagMs * 1000) / 1000,
    perSecond: perSecond(r.drive.requests, durationSeconds),
    sidelight: sl && {
      requestsCounted: sl.requestsCounted,
      phases: Object.fromEntries(
        Object.entries(sl.phases).map(([p, h]) => [
          p,
          {
            count: h.count,
            meanMs: round(h.count ? (h.sum / h.count) * 1000 : Number.NaN) ?? Number.NaN,
            p99Ms: round(histogramQuantile(0.99, h) * 1000) ?? Number.NaN,
          },
        ]),
      ),
      reloadsApplied: sl.reloadsApplied,
      reloadsRejected: sl.reloadsRejected,
      generation: sl.generation,
      cpuSeconds: round(sl.cpuSeconds) ?? 0,
      requestsPerCpuSecond: Math.round(sl.cpuSeconds > 0 ? sl.requestsCounted / sl.cpuSeconds : 0),
      rssGrowthBytes: r.obs.rssGrowthBytes,
    },
    rewrites: r.obs.rewrites,
    generationsSeen: r.drive.generationsSeen,
    config: r.config,
  };
}

/** The report lines a scenario asks for (added latency, sampling cost ratio, throughput vs direct). */
function comparisons(runs: RunSummary[]): string[] {
  const main = runs[0];
  const out: string[] = [];
  if (main === undefined) return out;
  for (const v of runs.slice(1)) {
    if (v.label === 'direct') {
      out.push(
        `Added latency vs direct upstream: p50 ${round(main.latencyMs.p50 - v.latencyMs.p50)} ms, ` +
          `p99 ${round(main.latencyMs.p99 - v.latencyMs.p99)} ms (through Sidelight ${main.latencyMs.p50} / ` +
          `${main.latencyMs.p99} ms, direct ${v.latencyMs.p50} / ${v.latencyMs.p99} ms).`,
      );
      const mibs = (r: RunSummary) => r.bytes / 1048576 / Math.max(1e-9, r.perSecond.length);
      out.push(
        `Throughput: ${round(mibs(main), 1)} MiB/s through Sidelight vs ${round(mibs(v), 1)} MiB/s direct.`,
      );
    } else if (main.sidelight && v.sidelight) {
      const a = main.sidelight.requestsPerCpuSecond;
      const b = v.sidelight.requestsPerCpuSecond;
      out.push(
        `Requests per Sidelight CPU-second: ${a} (${main.label}) vs ${b} (${v.label}); ratio ${round(b > 0 ? a / b : Number.NaN, 3)}.`,
      );
    }
  }
  if (main.rewrites > 0 && main.sidelight) {
    out.push(
      `Config rewrites: ${main.rewrites}; reloads applied ${main.sidelight.reloadsApplied}, rejected ` +
        `${main.sidelight.reloadsRejected}; generation at the end ${main.sidelight.generation}; ` +
        `generations that answered requests: ${main.generationsSeen.join(', ') || 'none'}.`,
    );
  }
  if (main.sidelight) {
    out.push(
      `Requests counted by Sidelight (/metrics): ${main.sidelight.requestsCounted}; sent: ${main.requests}.`,
    );
  }
  return out;
}

function charts(doc: ResultDocument): Record<string, string> {
  const main = doc.runs[0]!;
  const files: Record<string, string> = {
    'latency.svg': lineChart(`${doc.id} latency percentiles (${main.label})`, 'ms', [
      { name: 'p50', points: main.perSecond.map((p) => [p.second, p.p50]) },
      { name: 'p90', points: main.perSecond.map((p) => [p.second, p.p90]) },
      { name: 'p99', points: main.perSecond.map((p) => [p.second, p.p99]) },
    ]),
    'throughput.svg': lineChart(
      `${doc.id} throughput`,
      'requests/s',
      doc.runs.map((r) => ({ name: r.label, points: r.perSecond.map((p) => [p.second, p.requests]) })),
    ),
    'errors.svg': lineChart(
      `${doc.id} failed requests`,
      'failed/s',
      doc.runs.map((r) => ({ name: r.label, points: r.perSecond.map((p) => [p.second, p.failed]) })),
    ),
  };
  if (main.sidelight) {
    files['phases.svg'] = barChart(
      `${doc.id} mean time per proxy phase (sidelight_phase_duration_seconds)`,
      'ms',
      Object.entries(main.sidelight.phases).map(([label, p]) => ({ label, value: p.meanMs })),
    );
  }
  return files;
}

function markdown(doc: ResultDocument, chartFiles: string[]): string {
  const m = doc.stamp.machine;
  const lines = [
    `# ${doc.id} ${doc.name}: ${doc.pass ? 'PASS' : 'FAIL'}`,
    '',
    `${doc.traffic}.`,
    '',
    `Sidelight ${doc.stamp.sidelightVersion}${doc.stamp.gitCommit ? ` (${doc.stamp.gitCommit})` : ''} · ` +
      `${m.cpuModel}, ${m.cores} cores, ${m.memTotalMiB} MiB · Node ${m.node} · scale ${doc.scale} · ` +
      `${doc.durationSeconds} s per run · ${doc.finishedAt}`,
    '',
    '## Verdicts',
    '',
    '| threshold | result | detail |',
    '| --- | --- | --- |',
    ...doc.verdicts.map((v) => `| \`${v.name}\` | ${v.pass ? 'pass' : '**FAIL**'} | ${v.detail} |`),
    '',
    '## Runs',
    '',
    '| run | requests | failed | req/s | p50 ms | p90 ms | p99 ms | max ms | generator lag max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...doc.runs.map(
      (r) =>
        `| ${r.label} | ${r.requests} | ${r.failed} | ${r.achievedRps} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ` +
        `${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.maxLagMs} |`,
    ),
    '',
    "Latency is measured from each request's intended start (open model), so queueing in front of a slow target is counted.",
    '',
  ];
  if (doc.reports.length > 0) lines.push('## Reported', '', ...doc.reports.map((r) => `- ${r}`), '');
  if (doc.notes.length > 0) lines.push('## Notes', '', ...doc.notes.map((n) => `- ${n}`), '');
  const main = doc.runs[0];
  if (main?.sidelight) {
    lines.push(
      '## Phases (Sidelight /metrics)',
      '',
      '| phase | observations | mean ms | p99 ms |',
      '| --- | ---: | ---: | ---: |',
      ...Object.entries(main.sidelight.phases).map(
        ([p, v]) => `| ${p} | ${v.count} | ${v.meanMs} | ${v.p99Ms} |`,
      ),
      '',
    );
  }
  lines.push('## Charts', '', ...chartFiles.map((f) => `![${f.replace('.svg', '')}](${f})`), '');
  if (main?.config) {
    lines.push('## Config', '', '```json', JSON.stringify(main.config, null, 2).slice(0, 4000), '```', '');
  }
  return `${lines.join('\n')}`;
}

export function writeResult(
  outDir: string,
  input: {
    def: ScenarioDefinition;
    scale: number;
    durationSeconds: number;
    stamp: Stamp;
    runs: RunRecord[];
    verdicts: Verdict[];
    notes: string[];
  },
): { jsonPath: string; markdownPath: string } {
  const runs = input.runs.map((r) => summarizeRun(r, input.durationSeconds));
  const doc: ResultDocument = {
    schema: RESULT_SCHEMA,
    id: input.def.id,
    name: input.def.name,
    traffic: input.def.traffic,
    finishedAt: new Date().toISOString(),
    scale: input.scale,
    durationSeconds: input.durationSeconds,
    stamp: input.stamp,
    verdicts: input.verdicts,
    pass: input.verdicts.every((v) => v.pass),
    reports: comparisons(runs),
    notes: input.notes,
    runs,
  };
  const files = charts(doc);
  for (const [name, svg] of Object.entries(files)) writeFileSync(join(outDir, name), svg);
  const jsonPath = join(outDir, 'result.json');
  const markdownPath = join(outDir, 'report.md');
  writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(markdownPath, markdown(doc, Object.keys(files)));
  return { jsonPath, markdownPath };
}
