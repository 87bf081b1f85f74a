/**
 * Prometheus for integration tests: a real `prometheus` (Debian's 2.42) with a
 * generated config in a temp dir, scraping given targets every second with
 * exemplar storage on; query API helpers. Also a small parser for the text
 * exposition formats (classic and OpenMetrics) that tests read directly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

export interface PromSeries {
  [label: string]: string;
}

export interface PromResult {
  metric: PromSeries;
  value?: [number, string];
}

export interface PromExemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}

export interface Prometheus {
  readonly url: string;
  /** Everything prometheus wrote to stderr (its log), for failure messages. */
  log(): string;
  query(expr: string): Promise<PromResult[]>;
  series(match: string): Promise<PromSeries[]>;
  queryExemplars(
    expr: string,
    startSec: number,
    endSec: number,
  ): Promise<{ seriesLabels: PromSeries; exemplars: PromExemplar[] }[]>;
  /** Health of each scrape target as Prometheus sees it. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string }[]>;
  /** Polls `fn` until it returns a defined value (or throws the last error after `timeoutMs`). */
  eventually<T>(fn: () => Promise<T | undefined>, timeoutMs?: number, what?: string): Promise<T>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function api<T>(base: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${base}${pathAndQuery}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.error ?? res.status}`);
  return body.data;
}

/** Starts Prometheus scraping `targets` (`http://host:port/metrics` URLs) every second. */
export async function startPrometheus(targets: string[]): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sidelight-prom-'));
  const port = await freePort();
  const byHost = targets.map((t) => new URL(t));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: sidelight',
    `    metrics_path: ${byHost[0]?.pathname ?? '/metrics'}`,
    '    static_configs:',
    `      - targets: [${byHost.map((u) => JSON.stringify(u.host)).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  let stderr = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    stderr += c;
  });
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const eventually = async <T>(
    fn: () => Promise<T | undefined>,
    timeoutMs = 20_000,
    what = 'condition',
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${stderr}`);
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  try {
    await eventually(
      async () => {
        const res = await fetch(`${url}/-/ready`);
        await res.arrayBuffer();
        return res.ok ? true : undefined;
      },
      30_000,
      'prometheus to be ready',
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    log: () => stderr,
    query: (expr) =>
      api<{ result: PromResult[] }>(url, `/api/v1/query?query=${encodeURIComponent(expr)}`).then(
        (d) => d.result,
      ),
    series: (match) => api<PromSeries[]>(url, `/api/v1/series?match[]=${encodeURIComponent(match)}`),
    queryExemplars: (expr, start, end) =>
      api(url, `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`),
    targets: () =>
      api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>(
        url,
        '/api/v1/targets',
      ).then((d) => d.activeTargets),
    eventually,
    stop,
  };
}

/** One sample line of a text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The exemplar's labels (`# {...} value [ts]`), OpenMetrics only. */
  exemplar: Record<string, string> | undefined;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(LABEL))
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

/** Sample lines of a classic or OpenMetrics text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*?)\})? (\S+)(?: \S+)?(?: # \{(.*?)\} .*)?$/.exec(line);
    if (m === null) throw new Error(`unparseable exposition line: ${line}`);
    out.push({
      name: m[1]!,
      labels: m[2] ? parseLabels(m[2]) : {},
      value: Number(m[3]),
      exemplar: m[4] === undefined ? undefined : parseLabels(m[4]),
    });
  }
  return out;
}

/** Distinct series of a metric family (`le`/`quantile` and the _bucket/_sum/_count suffixes folded). */
export function seriesOf(samples: Sample[], family: string): Set<string> {
  const out = new Set<string>();
  const suffixed = new Set([
    family,
    `${family}_bucket`,
    `${family}_sum`,
    `${family}_count`,
    `${family}_total`,
    `${family}_created`,
  ]);
  for (const s of samples) {
    if (!suffixed.has(s.name)) continue;
    const { le: _le, quantile: _q, ...rest } = s.labels;
    out.add(JSON.stringify(Object.entries(rest).sort()));
  }
  return out;
}
