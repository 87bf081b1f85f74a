/**
 * Graceful shutdown: readiness goes 503, listeners stop accepting, requests in
 * flight finish (up to the drain timeout), requests that arrive on open
 * keep-alive connections meanwhile are answered with `Connection: close`, idle
 * connections are closed, then the upstream pools. No in-flight request is lost
 * unless the drain timeout expires first.
 */
import type { Server } from 'node:http';
import type { RuntimeStore } from '../config/store.ts';
import { ProxyError } from '../pipeline/errors.ts';

export interface DrainResult {
  /** Requests still in flight when the drain timeout expired (0 = clean). */
  abandoned: number;
  durationMs: number;
}

export async function drain(
  store: RuntimeStore,
  servers: readonly Server[],
  timeoutMs: number,
): Promise<DrainResult> {
  const started = performance.now();
  store.draining = true;
  for (const s of servers) {
    s.close();
    s.closeIdleConnections();
  }
  const deadline = started + timeoutMs;
  while (store.inflight > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    for (const s of servers) s.closeIdleConnections();
  }
  const abandoned = store.inflight;
  const runtimes = store.all();
  if (abandoned > 0) {
    // Cut the exchanges still running with a catalogued reason first, so they are
    // recorded as `draining` (not as an upstream failure) and a client still
    // waiting for its response head gets a 503 rather than a bare disconnect.
    const reason = new ProxyError('draining', { detail: `(drain timeout ${timeoutMs} ms)` });
    await Promise.all(runtimes.map((rt) => rt.upstream.destroy(reason)));
    await new Promise((r) => setImmediate(r));
  }
  for (const s of servers) s.closeAllConnections();
  if (abandoned === 0) await Promise.all(runtimes.map((rt) => rt.upstream.close()));
  return { abandoned, durationMs: Math.round(performance.now() - started) };
}
