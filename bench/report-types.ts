/**
 * Result types of a benchmark run: per-round samples, their summaries, budget
 * checks and the shape of the results JSON (`bench/results/<date>.json`).
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
    /** Environment the Sidelight processes start with (glibc malloc settings). */
    sidelightEnv?: Record<string, string>;
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
