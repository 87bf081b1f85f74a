/** The facts a result is stamped with: version, machine, Node. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface Stamp {
  sidelightVersion: string;
  gitCommit: string | null;
  machine: { cpuModel: string; cores: number; memTotalMiB: number; kernel: string; node: string };
}

export function stamp(): Stamp {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    sidelightVersion: pkg.version,
    gitCommit,
    machine: {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cores: availableParallelism(),
      memTotalMiB: Math.round(totalmem() / 1024 / 1024),
      kernel: release(),
      node: process.version,
    },
  };
}
