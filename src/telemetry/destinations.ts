/**
 * Where each signal goes, said once at start-up and on `/healthz?verbose`
 * (issue 9, item 5): traces and logs to their OTLP URL or `off` (logs are on
 * stdout in any case), metrics pulled from the admin listener's `/metrics`.
 */
import type { SignalStatus } from './export-status.ts';
import type { TelemetrySdk } from './sdk.ts';

/** `/metrics` scrapes, counted by the admin route: the metrics signal's "exports". */
export interface ScrapeLog {
  count: number;
  lastAt: number | undefined;
}

export interface Destinations {
  /** OTLP URL (credentials redacted) or `off`. */
  readonly traces: string;
  /** `stdout`, plus the OTLP URL when logs are exported. */
  readonly logs: string;
  /** The admin listener's `/metrics` (Prometheus pulls). */
  readonly metrics: string;
}

export function telemetryDestinations(sdk: TelemetrySdk | undefined, adminUrl: string): Destinations {
  const logs = sdk?.status.destination('logs') ?? 'off';
  return {
    traces: sdk?.status.destination('traces') ?? 'off',
    logs: logs === 'off' ? 'stdout' : `stdout, ${logs}`,
    metrics: `${adminUrl}/metrics`,
  };
}

export interface MetricsStatus {
  readonly destination: string;
  readonly state: 'pull';
  readonly scrapes: number;
  readonly last_scrape_at?: string;
}

/** The exporter state per signal, for the admin's health detail. */
export function telemetryHealth(
  sdk: TelemetrySdk | undefined,
  adminUrl: string,
  scrapes: ScrapeLog,
): { traces: SignalStatus; logs: SignalStatus; metrics: MetricsStatus } {
  const off: SignalStatus = { destination: 'off', state: 'off', exported: 0, failed_exports: 0, dropped: 0 };
  const signals = sdk?.status.snapshot() ?? { traces: off, logs: off };
  return {
    ...signals,
    metrics: {
      destination: `${adminUrl}/metrics`,
      state: 'pull',
      scrapes: scrapes.count,
      ...(scrapes.lastAt === undefined ? {} : { last_scrape_at: new Date(scrapes.lastAt).toISOString() }),
    },
  };
}
