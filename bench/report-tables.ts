/**
 * The per-scenario tables of the Markdown report: closed-loop throughput,
 * added latency at a fixed rate, and 1 MiB streaming. Each returns its
 * section as lines to be joined with "\n".
 */

import { fmtAdded, fmtMaybeUs, fmtNum, fmtSpread, fmtUs, row } from './report-format.ts';
import { median } from './report-stats.ts';
import type { BenchResults, ContenderResult } from './report-types.ts';

/** Direct-to-upstream first, then the contenders in run order. */
function allResults(r: BenchResults): ContenderResult[] {
  return [r.direct, ...r.contenders];
}

function bareReference(r: BenchResults): ContenderResult | undefined {
  return r.contenders.find((c) => c.name === 'bare-reference');
}

function label(c: ContenderResult): string {
  return c.kind === 'direct' ? '_direct to upstream (no proxy)_' : c.name;
}

export function closedLoopTable(r: BenchResults): string[] {
  const out: string[] = [];
  const bare = bareReference(r);
  const cl = r.setup.closedLoop;
  out.push(`## Closed loop: GET ${cl.path}, \`wrk -t${cl.threads} -c${cl.connections}\``);
  out.push('');
  out.push(
    row([
      'contender',
      'req/s (median)',
      'spread (min–max)',
      'vs bare',
      'p99 latency',
      'CPU/req',
      'RSS idle',
      'RSS after',
    ]),
  );
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const c of allResults(r)) {
    if (c.status !== 'ok') {
      out.push(
        row([
          c.name,
          c.status === 'skipped' ? `skipped: ${c.error ?? ''}` : 'FAILED',
          '',
          '',
          '',
          '',
          '',
          '',
        ]),
      );
      continue;
    }
    const med = c.closedLoop.rps?.median;
    const vsBare =
      med && bare?.closedLoop.rps?.median && c.kind !== 'direct'
        ? med / bare.closedLoop.rps.median
        : undefined;
    out.push(
      row([
        label(c),
        fmtNum(med),
        fmtSpread(c.closedLoop.rps),
        vsBare === undefined ? '–' : `${vsBare.toFixed(2)}x`,
        c.closedLoop.p99Ms ? `${c.closedLoop.p99Ms.median.toFixed(2)} ms` : '–',
        c.closedLoop.cpuUsPerReq ? `${c.closedLoop.cpuUsPerReq.median.toFixed(1)} µs` : '–',
        c.rssMiB.idle === undefined ? '–' : `${c.rssMiB.idle.toFixed(1)} MiB`,
        c.rssMiB.afterLoad === undefined ? '–' : `${c.rssMiB.afterLoad.toFixed(1)} MiB`,
      ]),
    );
  }
  out.push('');
  out.push(
    '_Direct_ runs wrk and the upstream on the same core, so it is the ceiling of the load core, not a proxy number. ' +
      'CPU/req is the proxy process’s user+system time divided by requests served.',
  );
  out.push('');
  return out;
}

export function addedLatencyTable(r: BenchResults): string[] {
  const out: string[] = [];
  const fr = r.setup.fixedRate;
  out.push(
    `## Added latency: GET ${fr.path} at ${fmtNum(fr.rate)} req/s, ${fr.connections} connections (${fr.tool})`,
  );
  out.push('');
  out.push(
    row(['contender', 'p50', 'p99', 'p99.9', 'added p50', 'added p99', 'added p99.9', 'generator lag p99']),
  );
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const c of allResults(r)) {
    if (c.status !== 'ok') continue;
    const f = c.fixedRate;
    const lag = median(f.samples.filter((s) => !s.error).map((s) => s.lagP99Us));
    out.push(
      row([
        label(c),
        fmtMaybeUs(f.p50Us?.median),
        fmtMaybeUs(f.p99Us?.median),
        fmtMaybeUs(f.p999Us?.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p50Us.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p99Us.median),
        c.kind === 'direct' ? '' : fmtAdded(f.added?.p999Us.median),
        Number.isFinite(lag) ? fmtUs(lag) : '–',
      ]),
    );
  }
  out.push('');
  out.push(
    'Added = proxy percentile minus the direct-to-upstream percentile of the same round (median over rounds). ' +
      'A large generator lag means the load core was busy and tail numbers are noise.',
  );
  out.push('');
  return out;
}

export function streamingTable(r: BenchResults): string[] {
  const out: string[] = [];
  const bare = bareReference(r);
  const st = r.setup.streaming;
  out.push(`## 1 MiB streaming: GET ${st.path}, \`wrk -t${st.threads} -c${st.connections}\``);
  out.push('');
  out.push(row(['contender', 'req/s', 'MiB/s', 'spread (MiB/s)', 'vs bare']));
  out.push(row(['---', '---:', '---:', '---:', '---:']));
  for (const c of allResults(r)) {
    if (c.status !== 'ok') continue;
    const mib = c.streaming.mibPerSec?.median;
    const bm = bare?.streaming.mibPerSec?.median;
    out.push(
      row([
        label(c),
        fmtNum(c.streaming.rps?.median),
        fmtNum(mib),
        fmtSpread(c.streaming.mibPerSec),
        mib && bm && c.kind !== 'direct' ? `${(mib / bm).toFixed(2)}x` : '–',
      ]),
    );
  }
  out.push('');
  return out;
}
