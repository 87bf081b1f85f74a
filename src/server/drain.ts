/**
 * Graceful shutdown, in the order a load balancer can follow (issue #9;
 * docs/shutdown.md sets it against Kubernetes' pod termination):
 *
 * 1. readiness goes 503 and responses carry `Connection: close`, while the
 *    listeners keep accepting for the drain delay: whoever routes to us
 *    (kube-proxy, an ingress, a health-checking balancer) learns that we are
 *    leaving before any connection is refused;
 * 2. the listeners stop accepting and idle keep-alive connections are closed;
 * 3. requests in flight finish, up to the drain timeout; requests that arrive
 *    on open connections meanwhile are answered with `Connection: close`;
 * 4. the upstream pools close. No in-flight request is lost unless the drain
 *    timeout expires first.
 *
 * Nothing here polls: the drain ends the moment the last request is released,
 * so the process can exit right after its last response.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeStore } from '../config/store.ts';
import { ProxyError } from '../pipeline/errors.ts';

export interface DrainOptions {
  /** How long requests in flight may take once the listeners have stopped accepting. */
  timeoutMs: number;
  /** How long the listeners keep accepting after readiness turned 503. Default 0. */
  delayMs?: number;
  /** Aborting it ends the delay at once (a second signal). */
  skipDelay?: AbortSignal;
  /** Called when the listeners stop accepting. */
  onStopAccepting?(): void;
}

export interface DrainResult {
  /** Requests still in flight when the drain timeout expired (0 = clean). */
  abandoned: number;
  /** How long the listeners kept accepting after readiness turned 503. */
  delayedMs: number;
  /** From the start of the drain (delay included) to its end. */
  durationMs: number;
}

/** Resolves after `ms`, or when `signal` aborts, whichever is first; leaves no timer behind. */
async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch(() => {});
}

export async function drain(
  store: RuntimeStore,
  servers: readonly Server[],
  options: DrainOptions,
): Promise<DrainResult> {
  const started = performance.now();
  store.draining = true;
  await wait(options.delayMs ?? 0, options.skipDelay);
  const delayedMs = Math.round(performance.now() - started);
  for (const s of servers) {
    s.close();
    s.closeIdleConnections();
  }
  options.onStopAccepting?.();
  const timeout = new AbortController();
  const expired = wait(options.timeoutMs, timeout.signal).then(() => true);
  while (!(await Promise.race([store.whenIdle().then(() => false), expired]))) {
    // Idle for now. A request pipelined behind the one that just finished is
    // parsed only once that response is done (node:http pauses the parser),
    // a turn of the event loop later: give it that turn before cutting.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (store.inflight === 0) break;
  }
  timeout.abort();
  const abandoned = store.inflight;
  const runtimes = store.all();
  if (abandoned > 0) {
    // Cut the exchanges still running with a catalogued reason first, so they are
    // recorded as `draining` (not as an upstream failure) and a client still
    // waiting for its response head gets a 503 rather than a bare disconnect.
    const reason = new ProxyError('draining', { detail: `(drain timeout ${options.timeoutMs} ms)` });
    await Promise.all(runtimes.map((rt) => rt.upstream.destroy(reason)));
    await new Promise((r) => setImmediate(r));
  }
  for (const s of servers) s.closeAllConnections();
  if (abandoned === 0) await Promise.all(runtimes.map((rt) => rt.upstream.close()));
  return { abandoned, delayedMs, durationMs: Math.round(performance.now() - started) };
}
