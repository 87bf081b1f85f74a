/** Machine and tool-version facts recorded with every result. */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { commandOutput, which } from './procs.ts';

function firstMatch(text: string | undefined, re: RegExp): string | null {
  const m = text ? re.exec(text) : null;
  return m?.[1] ?? null;
}

function packageVersion(name: string): string | null {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
}

export function machineInfo() {
  let cpuModel = 'unknown';
  try {
    cpuModel =
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  const version = (cmd: string, args: string[], re: RegExp) =>
    which(cmd) ? firstMatch(commandOutput(which(cmd)!, args), re) : null;
  return {
    cpuModel,
    cores: availableParallelism(),
    memTotalMiB: Math.round(totalmem() / 1024 / 1024),
    kernel: release(),
    node: process.version,
    versions: {
      nginx: version('nginx', ['-v'], /nginx\/(\S+)/),
      haproxy: version('haproxy', ['-v'], /version (\S+)/),
      caddy: version('caddy', ['version'], /^v?(\S+)/),
      wrk: version('wrk', ['-v'], /wrk (\S+)/),
      undici: packageVersion('undici'),
      fastify: packageVersion('fastify'),
      '@fastify/http-proxy': packageVersion('@fastify/http-proxy'),
      'http-proxy': packageVersion('http-proxy'),
    } as Record<string, string | null>,
  };
}

function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * How busy the machine is without us: percent of all cores' time spent busy
 * over `ms`. Anything well above 0 means other work shares the cores and the
 * numbers are noisy.
 */
export async function backgroundCpuPct(ms = 1_000): Promise<number | null> {
  const a = cpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTicks();
  if (!a || !b || b.total === a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
}
