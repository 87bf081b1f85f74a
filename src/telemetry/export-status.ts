/**
 * Where telemetry goes, and whether it gets there (issue 9, item 5).
 *
 * Each OTLP exporter is wrapped so every export's outcome is recorded per
 * signal: items exported, failed exports, the last success and the last
 * failure with its error. The admin's `/healthz?verbose` shows that state;
 * failures are logged at warn, at most one record per signal per interval
 * (30 s by default), carrying what failed since the previous record, so a
 * collector that is down for an hour costs 120 log lines, not one per batch.
 * A signal that recovers says so once.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { DropCounts } from './drops.ts';

export type ExportSignal = 'traces' | 'logs';

/** What an exporter of spans or log records looks like to the batch processors. */
export interface Exporter<T> {
  export(items: T[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** The subset of a pino logger the reports use. */
export interface ReportLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export const FAILURE_REPORT_INTERVAL_MS = 30_000;

interface SignalState {
  readonly destination: string;
  exported: number;
  failedExports: number;
  lastSuccessAt: number | undefined;
  lastFailureAt: number | undefined;
  lastError: string | undefined;
  /** Since the last warn record. */
  unreportedFailures: number;
  droppedAtReport: number;
  lastReportAt: number | undefined;
  failing: boolean;
}

export interface SignalStatus {
  /** The OTLP URL (credentials redacted), or `off`. */
  readonly destination: string;
  /** `off`, `idle` (nothing sent yet), `ok` (the last export succeeded) or `failing`. */
  readonly state: 'off' | 'idle' | 'ok' | 'failing';
  readonly exported: number;
  readonly failed_exports: number;
  /** Items that never left the process: queue full or a failed export (sidelight_telemetry_dropped_total). */
  readonly dropped: number;
  readonly last_success_at?: string;
  readonly last_failure_at?: string;
  readonly last_error?: string;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The OTLP exporter drops the status code of a retryable answer (otlp-exporter-base, http-transport-utils). */
const RETRYABLE = 'Export failed with retryable status';

function errorText(error: Error | undefined, scrub: (s: string) => string): string {
  if (error === undefined) return 'export failed';
  if (error.message === RETRYABLE)
    return 'the collector answered a retryable status (429, 502, 503 or 504) until the export timeout';
  const code = (error as { code?: unknown }).code;
  const text = error.message || error.name;
  return scrub(code !== undefined && !text.includes(String(code)) ? `${text} (${String(code)})` : text);
}

export interface ExportStatusOptions {
  /** OTLP destination per signal (already redacted); absent: the signal is not exported. */
  destinations: Partial<Record<ExportSignal, string>>;
  drops: DropCounts;
  /** Applied to error messages before they are logged or shown. */
  scrub?: (text: string) => string;
  reportIntervalMs?: number;
  /** The clock (tests step it instead of waiting 30 s). */
  now?: () => number;
}

export class ExportStatus {
  readonly #states = new Map<ExportSignal, SignalState>();
  readonly #drops: DropCounts;
  readonly #scrub: (text: string) => string;
  readonly #interval: number;
  readonly #now: () => number;
  #log: ReportLog | undefined;
  /** Told each export's duration and result (the export-duration histogram); set once metrics exist. */
  onExport: ((signal: ExportSignal, seconds: number, ok: boolean) => void) | undefined;

  constructor(options: ExportStatusOptions) {
    this.#drops = options.drops;
    this.#scrub = options.scrub ?? ((s) => s);
    this.#interval = options.reportIntervalMs ?? FAILURE_REPORT_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
    for (const [signal, destination] of Object.entries(options.destinations) as [ExportSignal, string][]) {
      this.#states.set(signal, {
        destination,
        exported: 0,
        failedExports: 0,
        lastSuccessAt: undefined,
        lastFailureAt: undefined,
        lastError: undefined,
        unreportedFailures: 0,
        droppedAtReport: 0,
        lastReportAt: undefined,
        failing: false,
      });
    }
  }

  /** Where failure reports go; the SDK starts before the process logger exists. */
  attach(log: ReportLog): void {
    this.#log = log;
  }

  destination(signal: ExportSignal): string {
    return this.#states.get(signal)?.destination ?? 'off';
  }

  /** `inner`, with each export's outcome recorded under `signal`. */
  wrap<T>(signal: ExportSignal, inner: Exporter<T>): Required<Exporter<T>> {
    const state = this.#states.get(signal);
    const forceFlush = () => inner.forceFlush?.() ?? Promise.resolve();
    if (state === undefined)
      return { export: (i, d) => inner.export(i, d), shutdown: () => inner.shutdown(), forceFlush };
    return {
      export: (items, done) => {
        const started = performance.now();
        inner.export(items, (result) => {
          // The processor first: it counts a failed batch as dropped, which the report carries.
          done(result);
          this.onExport?.(
            signal,
            (performance.now() - started) / 1000,
            result.code === ExportResultCode.SUCCESS,
          );
          if (result.code === ExportResultCode.SUCCESS) this.#succeeded(signal, state, items.length);
          else this.#failed(signal, state, result.error);
        });
      },
      shutdown: () => inner.shutdown(),
      forceFlush,
    };
  }

  #succeeded(signal: ExportSignal, state: SignalState, count: number): void {
    state.exported += count;
    state.lastSuccessAt = this.#now();
    if (!state.failing) return;
    state.failing = false;
    this.#log?.info(
      {
        signal,
        destination: state.destination,
        failed_exports: state.unreportedFailures,
        dropped: this.#drops[signal] - state.droppedAtReport,
      },
      `${signal} export to ${state.destination} recovered`,
    );
    state.unreportedFailures = 0;
    state.droppedAtReport = this.#drops[signal];
  }

  #failed(signal: ExportSignal, state: SignalState, error: Error | undefined): void {
    const now = this.#now();
    state.failedExports++;
    state.unreportedFailures++;
    state.lastFailureAt = now;
    state.lastError = errorText(error, this.#scrub);
    state.failing = true;
    if (state.lastReportAt !== undefined && now - state.lastReportAt < this.#interval) return;
    if (this.#log === undefined) return;
    const dropped = this.#drops[signal] - state.droppedAtReport;
    this.#log.warn(
      {
        signal,
        destination: state.destination,
        error: state.lastError,
        failed_exports: state.unreportedFailures,
        dropped,
        interval_s: this.#interval / 1000,
      },
      `${signal} export to ${state.destination} failed: ${state.lastError} ` +
        `(${state.unreportedFailures} failed exports, ${dropped} items dropped since the last report)`,
    );
    state.lastReportAt = now;
    state.unreportedFailures = 0;
    state.droppedAtReport = this.#drops[signal];
  }

  /** Items delivered per signal (sidelight_telemetry_exported_total). */
  exported(): { traces: number; logs: number } {
    return {
      traces: this.#states.get('traces')?.exported ?? 0,
      logs: this.#states.get('logs')?.exported ?? 0,
    };
  }

  /** The per-signal state `/healthz?verbose` shows. */
  snapshot(): Record<ExportSignal, SignalStatus> {
    const one = (signal: ExportSignal): SignalStatus => {
      const s = this.#states.get(signal);
      if (s === undefined)
        return { destination: 'off', state: 'off', exported: 0, failed_exports: 0, dropped: 0 };
      const state =
        s.lastSuccessAt === undefined && s.lastFailureAt === undefined
          ? 'idle'
          : s.failing
            ? 'failing'
            : 'ok';
      return {
        destination: s.destination,
        state,
        exported: s.exported,
        failed_exports: s.failedExports,
        dropped: this.#drops[signal],
        ...(s.lastSuccessAt === undefined ? {} : { last_success_at: iso(s.lastSuccessAt) }),
        ...(s.lastFailureAt === undefined
          ? {}
          : { last_failure_at: iso(s.lastFailureAt), last_error: s.lastError }),
      };
    };
    return { traces: one('traces'), logs: one('logs') };
  }
}
