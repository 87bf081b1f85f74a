/**
 * Markdown formatting helpers for the benchmark report: numbers, durations in
 * µs/ms, min–max spreads and table rows.
 */
import type { Summary } from './report-types.ts';

export function fmtUs(us: number): string {
  const a = Math.abs(us);
  if (a >= 1000) return `${(us / 1000).toFixed(a >= 10_000 ? 1 : 2)} ms`;
  return `${Math.round(us)} µs`;
}

export function fmtNum(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtSpread(s: Summary | undefined, digits = 0): string {
  if (!s) return '–';
  if (s.n < 2) return 'n=1';
  return `${fmtNum(s.min, digits)}–${fmtNum(s.max, digits)} (±${(s.spreadPct / 2).toFixed(1)}%)`;
}

export function fmtMaybeUs(v: number | undefined): string {
  return v === undefined ? '–' : fmtUs(v);
}

export function fmtAdded(v: number | undefined): string {
  if (v === undefined) return '–';
  return `${v >= 0 ? '+' : '−'}${fmtUs(Math.abs(v))}`;
}

export function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}
