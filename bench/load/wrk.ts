/** Closed-loop load with wrk, and a parser for its `--latency` output. */
import { runToCompletion } from '../procs.ts';

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  /** Bytes per second as reported by wrk's Transfer/sec (binary units). */
  bytesPerSec: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number; avg: number; max: number };
  errors: { connect: number; read: number; write: number; timeout: number; non2xx: number };
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  threads?: number;
  core?: number | undefined;
}

export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${opts.threads ?? 1}`,
    `-c${opts.connections}`,
    `-d${opts.durationS}s`,
    '--timeout',
    '10s',
    '--latency',
    opts.url,
  ];
  const r = await runToCompletion('wrk', args, { core: opts.core, timeoutMs: (opts.durationS + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk exited ${r.code}: ${r.stderr.slice(-500)}${r.stdout.slice(-500)}`);
  return parseWrk(r.stdout);
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "1.23ms" -> 1.23 (milliseconds). */
export function parseDurationMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new Error(`unparseable wrk duration "${v}"`);
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

/** "44.22MB" -> bytes (wrk uses 1024-based units). */
export function parseSize(v: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(v.trim());
  if (!m) throw new Error(`unparseable wrk size "${v}"`);
  return Number(m[1]) * SIZE_UNITS[m[2]!]!;
}

export function parseWrk(out: string): WrkResult {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(out);
    if (!m) throw new Error(`wrk output has no ${what}:\n${out}`);
    return m;
  };
  const pct = (p: string) =>
    parseDurationMs(need(new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, 'm'), `${p}% latency`)[1]!);
  const lat = need(/^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m, 'latency stats');
  const total = need(/^\s+(\d+) requests in ([\d.]+\w+), (\S+) read/m, 'request count');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    requests: Number(total[1]),
    durationS: parseDurationMs(total[2]!) / 1000,
    rps: Number(need(/^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec')[1]),
    bytesPerSec: parseSize(need(/^Transfer\/sec:\s+(\S+)/m, 'Transfer/sec')[1]!),
    latencyMs: {
      p50: pct('50'),
      p75: pct('75'),
      p90: pct('90'),
      p99: pct('99'),
      avg: parseDurationMs(lat[1]!),
      max: parseDurationMs(lat[3]!),
    },
    errors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
      non2xx: Number(non2xx?.[1] ?? 0),
    },
  };
}

/** Total error count of a run (socket errors + non-2xx responses). */
export function wrkErrorCount(r: WrkResult): number {
  const e = r.errors;
  return e.connect + e.read + e.write + e.timeout + e.non2xx;
}
