/**
 * The local runner's programmatic entry: run one scenario (load/scenarios/)
 * against a given target, or against the demo service and a Sidelight process
 * it starts with the scenario's config; judge the thresholds; write the JSON
 * result and the Markdown report into one results folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findScenario } from '../scenarios/index.ts';
import { refusal, type ScenarioDefinition, type Variant } from '../scenarios/types.ts';
import { startRewriter } from './config-rewriter.ts';
import { type DriveResult, drive } from './http-driver.ts';
import { stamp } from './machine.ts';
import { createProgress } from './progress.ts';
import { type RunRecord, writeResult } from './result.ts';
import { type MetricsSnapshot, metricsDelta, scrapeMetrics } from './sidelight-metrics.ts';
import {
  type Demo,
  type SidelightProcess,
  startDemo,
  startOtlpSink,
  startSidelightProcess,
} from './stack.ts';
import { evaluate, type RunObservations, type Verdict } from './verdicts.ts';

export const DEFAULT_SCALE = 0.1;
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface RunScenarioOptions {
  id: string;
  target?: string;
  adminUrl?: string;
  durationSeconds?: number;
  scale?: number;
  outDir?: string;
  quiet?: boolean;
}

export interface RunScenarioResult {
  verdicts: Verdict[];
  jsonPath: string;
  markdownPath: string;
  /** Requests of the main run that completed or failed. */
  requests: number;
  /** Of those, failed ones (network errors and unexpected statuses). */
  errors: number;
}

/** The scenario exists but Sidelight lacks a capability it needs; the message is the one-line reason. */
export class ScenarioNotRunnableError extends Error {
  override readonly name = 'ScenarioNotRunnableError';
}

export class UnknownScenarioError extends Error {
  override readonly name = 'UnknownScenarioError';
}

/** The definition for `id`, or a thrown one-line reason why it cannot run. */
export function runnableScenario(id: string): ScenarioDefinition {
  const def = findScenario(id);
  if (def === undefined) throw new UnknownScenarioError(`unknown scenario ${JSON.stringify(id)} (S01..S12)`);
  const reason = refusal(def);
  if (reason !== undefined) throw new ScenarioNotRunnableError(reason);
  return def;
}

export function defaultDuration(def: ScenarioDefinition): number {
  const ex = def.executor;
  return ex.kind === 'ramping-arrival-rate'
    ? ex.stages.reduce((a, s) => a + s.durationSeconds, 0)
    : ex.durationSeconds;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
}

/** Polls RSS while a run goes on, for S07's memory threshold. */
function rssWatch(adminUrl: string): { stop(): Promise<number> } {
  let peak = 0;
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(() =>
      scrapeMetrics(adminUrl).then(
        (s) => {
          peak = Math.max(peak, s.rssBytes);
        },
        () => {},
      ),
    );
  }, 500);
  return {
    async stop() {
      clearInterval(timer);
      await polling;
      return peak;
    },
  };
}

interface Target {
  label: string;
  url: string;
  adminUrl: string | undefined;
  sidelight: SidelightProcess | undefined;
}

async function measure(
  def: ScenarioDefinition,
  t: Target,
  opts: { scale: number; durationSeconds: number; quiet: boolean },
): Promise<{ drive: DriveResult; obs: RunObservations }> {
  const before: MetricsSnapshot | undefined = t.adminUrl ? await scrapeMetrics(t.adminUrl) : undefined;
  const rss = t.adminUrl ? rssWatch(t.adminUrl) : undefined;
  const rewriter =
    def.reload && t.sidelight
      ? startRewriter(t.sidelight.configFile, t.sidelight.config, def.reload.everySeconds)
      : undefined;
  const progress = createProgress(`${def.id} ${t.label}`, opts.durationSeconds, opts.quiet);
  let result: DriveResult;
  try {
    result = await drive({
      def,
      target: t.url,
      scale: opts.scale,
      durationSeconds: opts.durationSeconds,
      onInterval: (elapsed, done) => progress.update(elapsed, done),
    });
  } finally {
    progress.stop();
    rewriter?.stop();
  }
  const peak = rss ? await rss.stop() : undefined;
  let after: MetricsSnapshot | undefined;
  if (t.adminUrl && before) {
    // A reload is applied asynchronously after the file changes; the counter must catch up before we read it.
    after = await scrapeMetrics(t.adminUrl);
    for (
      let i = 0;
      rewriter &&
      i < 100 &&
      after.reloadsApplied + after.reloadsRejected - before.reloadsApplied - before.reloadsRejected <
        rewriter.rewrites;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
      after = await scrapeMetrics(t.adminUrl);
    }
  }
  const sidelight = before && after ? metricsDelta(before, after) : undefined;
  return {
    drive: result,
    obs: {
      sidelight,
      rssGrowthBytes:
        before && peak !== undefined
          ? Math.max(0, Math.max(peak, after?.rssBytes ?? 0) - before.rssBytes)
          : undefined,
      rewrites: rewriter?.rewrites ?? 0,
    },
  };
}

export async function runScenario(opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const def = runnableScenario(opts.id);
  const scale = opts.scale ?? DEFAULT_SCALE;
  const durationSeconds = opts.durationSeconds ?? defaultDuration(def);
  const outDir = opts.outDir ?? join(RESULTS_DIR, `${timestamp()}-${def.id}`);
  mkdirSync(outDir, { recursive: true });
  const quiet = opts.quiet ?? false;
  if (!quiet) process.stderr.write(`${def.id} ${def.name}: scale ${scale}, ${durationSeconds}s\n`);

  const stopping: Array<() => Promise<void>> = [];
  const runs: RunRecord[] = [];
  const notes: string[] = [];
  try {
    let demo: Demo | undefined;
    let otlp: Demo | undefined;
    let main: Target;
    if (opts.target !== undefined) {
      main = { label: 'sidelight', url: opts.target, adminUrl: opts.adminUrl, sidelight: undefined };
    } else {
      demo = await startDemo();
      stopping.push(() => demo!.stop());
      otlp = await startOtlpSink();
      stopping.push(() => otlp!.stop());
      const sl = await startSidelightProcess(def.sidelight, demo.url, otlp.url, outDir);
      stopping.unshift(() => sl.stop());
      main = { label: 'sidelight', url: sl.url, adminUrl: sl.adminUrl, sidelight: sl };
    }
    const first = await measure(def, main, { scale, durationSeconds, quiet });
    const verdicts = evaluate(def, first.drive, first.obs, process.env);
    runs.push({ label: main.label, target: main.url, ...first, config: main.sidelight?.config });
    if (main.sidelight) await main.sidelight.stop();

    for (const v of def.variants ?? []) {
      const t = await variantTarget(v, def, demo, otlp, outDir);
      if (t === undefined) {
        notes.push(`variant ${v.label} skipped: it needs the runner to start the stack (no --target)`);
        continue;
      }
      const r = await measure(def, t, { scale, durationSeconds, quiet });
      runs.push({ label: v.label, target: t.url, ...r, config: t.sidelight?.config });
      await t.sidelight?.stop();
    }

    const paths = writeResult(outDir, { def, scale, durationSeconds, stamp: stamp(), runs, verdicts, notes });
    if (!quiet) {
      for (const v of verdicts) process.stderr.write(`${v.pass ? 'PASS' : 'FAIL'} ${v.name} — ${v.detail}\n`);
      process.stderr.write(`report: ${paths.markdownPath}\n`);
    }
    const mainRun = first.drive;
    return {
      verdicts,
      ...paths,
      requests: mainRun.requests.length,
      errors: mainRun.requests.filter((r) => r.failed).length,
    };
  } finally {
    for (const stop of stopping) await stop().catch(() => {});
  }
}

async function variantTarget(
  v: Variant,
  def: ScenarioDefinition,
  demo: Demo | undefined,
  otlp: Demo | undefined,
  outDir: string,
): Promise<Target | undefined> {
  if (demo === undefined || otlp === undefined) return undefined;
  if (v.direct) return { label: v.label, url: demo.url, adminUrl: undefined, sidelight: undefined };
  const config = { ...def.sidelight, telemetry: { ...def.sidelight.telemetry, ...v.telemetry } };
  const sl = await startSidelightProcess(config, demo.url, otlp.url, outDir, `sidelight-${v.label}.json`);
  return { label: v.label, url: sl.url, adminUrl: sl.adminUrl, sidelight: sl };
}
