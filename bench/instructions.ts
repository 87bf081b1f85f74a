/**
 * Instructions per request: the harness's low-noise measure. Each Node
 * contender runs under callgrind (valgrind), serves a warm-up, has its
 * counters zeroed, serves a fixed number of GET /1k requests over 10
 * keep-alive connections, and has its counters dumped. Instructions executed
 * in user space by all of its threads (JIT code, GC, libuv; not the kernel)
 * divided by the requests is the figure.
 *
 * Why: on a shared VM, wall-clock req/s of identical runs moves by 10-30%,
 * and a slower proxy pays more per request for waking an idle peer core, so
 * small hot-path changes drown. Repeated callgrind counts of the same code
 * agree far better, though not exactly: the bare reference gave 312,482 and
 * 340,568; Sidelight with 10% sampling swings more (a major GC or an OTLP
 * export batch falls inside the counted window or not), so count thousands
 * of requests and repeat. It cannot see kernel time (socket writes), which
 * every contender pays alike.
 * About 2 minutes per contender; valgrind must be installed.
 *
 *   npm run bench:instructions
 *   npm run bench:instructions -- --only bare-reference,sidelight-default --requests 5000
 *   npm run bench:instructions -- --quick     # smoke: few requests, numbers meaningless
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { SIDECAR_NODE_FLAGS, sidecarEnvPrefix } from '../src/cli/sidecar-settings.ts';
import { log } from './log.ts';
import { machineInfo } from './machine.ts';
import { startOtlpSink } from './otlp-sink-start.ts';
import { allContenders } from './peers/index.ts';
import type { Contender } from './peers/types.ts';
import { freePort, installExitHandlers, makeTempDir, removeTempDirs, stopAll, which } from './procs.ts';
import { startUpstream, UPSTREAM_PATHS } from './upstream.ts';

export interface InstructionCount {
  name: string;
  status: 'ok' | 'failed';
  instructionsPerRequest?: number;
  vsBare?: number;
  error?: string;
}

const DEFAULT_ONLY = ['bare-reference', 'sidelight-default', 'sidelight-full'];
const CONNECTIONS = 10;

/** `n` GET requests over CONNECTIONS keep-alive connections; throws on any non-200. */
async function load(url: string, n: number): Promise<void> {
  const pool = new Pool(url, { connections: CONNECTIONS });
  let left = n;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await pool.request({ path: UPSTREAM_PATHS.small, method: 'GET' });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    await pool.close();
  }
}

function callgrindControl(flag: '-z' | '-d', pid: number): void {
  // vgdb reaches an idle process through ptrace; where ptrace is restricted it waits for
  // the process to wake, which an idle proxy may never do.
  const r = spawnSync('callgrind_control', [flag, String(pid)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    const why = r.error
      ? `${r.error.message} (is ptrace restricted? /proc/sys/kernel/yama/ptrace_scope)`
      : '';
    throw new Error(`callgrind_control ${flag} ${pid} failed: ${why}${r.stderr || r.stdout}`);
  }
}

/** The `totals:`/`summary:` Ir of the newest dump for `pid` in `dir`, waiting for it to appear. */
async function dumpedInstructions(dir: string, pid: number, since: Set<string>): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const f of readdirSync(dir)) {
      if (!f.startsWith(`callgrind.${pid}`) || since.has(f)) continue;
      const m = /^(?:totals|summary):\s+(\d+)\s*$/m.exec(readFileSync(join(dir, f), 'utf8'));
      if (m) return Number(m[1]);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no callgrind dump for pid ${pid} in ${dir}`);
}

async function count(
  c: Contender,
  upstream: string,
  opts: { warmup: number; requests: number },
): Promise<number> {
  const dir = makeTempDir(`callgrind-${c.name}`);
  const prefix = [
    'valgrind',
    '--tool=callgrind',
    // V8 writes and rewrites machine code at run time.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${dir}/callgrind.%p`,
  ];
  const run = await c.start({ upstream, port: await freePort(), wrap: { prefix, startTimeoutMs: 180_000 } });
  try {
    await load(run.url, opts.warmup);
    const before = new Set(readdirSync(dir));
    callgrindControl('-z', run.pid);
    await load(run.url, opts.requests);
    callgrindControl('-d', run.pid);
    return Math.round((await dumpedInstructions(dir, run.pid, before)) / opts.requests);
  } finally {
    await run.stop();
  }
}

export async function runInstructionCounts(options: {
  only?: string[];
  warmup: number;
  requests: number;
}): Promise<InstructionCount[]> {
  let sinkUrl: string | undefined;
  const all = allContenders({ otlpEndpoint: () => sinkUrl, nodeFlags: [...SIDECAR_NODE_FLAGS] });
  const wanted = options.only ?? DEFAULT_ONLY;
  const unknown = wanted.filter((n) => !all.some((c) => c.name === n && c.wrappable));
  if (unknown.length) throw new Error(`not a Node contender: ${unknown.join(', ')}`);
  const selected = wanted.map((n) => all.find((c) => c.name === n)!);
  const out: InstructionCount[] = [];
  try {
    const upstream = await startUpstream(undefined);
    sinkUrl = await startOtlpSink(undefined);
    for (const c of selected) {
      log(`callgrind: ${c.name} (${options.warmup} warm-up + ${options.requests} counted requests)`);
      try {
        out.push({
          name: c.name,
          status: 'ok',
          instructionsPerRequest: await count(c, upstream.url, options),
        });
      } catch (err) {
        out.push({ name: c.name, status: 'failed', error: (err as Error).message.split('\n')[0] });
      }
    }
  } finally {
    await stopAll();
    removeTempDirs();
  }
  const bare = out.find((r) => r.name === 'bare-reference')?.instructionsPerRequest;
  for (const r of out) if (bare && r.instructionsPerRequest) r.vsBare = r.instructionsPerRequest / bare;
  return out;
}

export function renderInstructions(
  rows: InstructionCount[],
  setup: { date: string; warmup: number; requests: number },
): string {
  const m = machineInfo();
  const lines = [
    `# Sidelight instructions per request, ${setup.date}`,
    '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores, Node ${process.version}; valgrind callgrind, user-space instructions of all threads`,
    `- GET /1k over ${CONNECTIONS} keep-alive connections: ${setup.warmup} warm-up requests, then ${setup.requests} counted`,
    `- Sidelight: \`${sidecarEnvPrefix()} node ${SIDECAR_NODE_FLAGS.join(' ')}\`, exporting to a local OTLP sink`,
    '',
    '| contender | instructions / request | vs bare |',
    '| --- | ---: | ---: |',
  ];
  for (const r of rows) {
    const n = r.instructionsPerRequest;
    lines.push(
      r.status === 'ok' && n !== undefined
        ? `| ${r.name} | ${n.toLocaleString('en-US')} | ${r.vsBare ? `${r.vsBare.toFixed(2)}x` : '–'} |`
        : `| ${r.name} | failed: ${r.error} | |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'out-dir': { type: 'string' },
    },
  });
  if (!which('valgrind') || !which('callgrind_control')) {
    process.stderr.write('valgrind is not installed (apt-get install valgrind)\n');
    process.exit(2);
  }
  installExitHandlers();
  const requests = Number(values.requests ?? (values.quick ? 200 : 5_000));
  const warmup = Number(values.warmup ?? (values.quick ? 200 : 8_000));
  if (!(requests > 0) || !(warmup >= 0)) {
    process.stderr.write('--requests must be > 0 and --warmup >= 0\n');
    process.exit(2);
  }
  const rows = await runInstructionCounts({ only: values.only?.split(','), warmup, requests });
  const date = new Date().toISOString().slice(0, 10);
  const md = renderInstructions(rows, { date, warmup, requests });
  const dir = values['out-dir'] ?? fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${values.quick ? 'quick-' : ''}${date}-instructions`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ date, warmup, requests, rows }, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
  process.exit(rows.every((r) => r.status === 'ok') ? 0 : 1);
}
