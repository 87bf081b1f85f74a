/**
 * Holds the current runtime snapshot. `acquire` pins a request to the runtime
 * current at accept; `swap` installs a fully provisioned runtime in one step;
 * a replaced runtime's pools close only once its last request has finished.
 */
import type { Runtime } from './runtime.ts';

export class RuntimeStore {
  #current: Runtime;
  #retiring = new Set<Runtime>();
  /** Called once a replaced runtime has no request left, with the runtime serving now. */
  readonly #onRetired: ((retired: Runtime, current: Runtime) => void) | undefined;
  #idle: (() => void)[] = [];
  /** Set by shutdown: readiness fails and new requests are told to close. */
  draining = false;

  constructor(initial: Runtime, onRetired?: (retired: Runtime, current: Runtime) => void) {
    this.#current = initial;
    this.#onRetired = onRetired;
  }

  get current(): Runtime {
    return this.#current;
  }

  get generation(): number {
    return this.#current.generation;
  }

  /** Requests in flight across the current and retiring runtimes. */
  get inflight(): number {
    let n = this.#current.inflight;
    for (const rt of this.#retiring) n += rt.inflight;
    return n;
  }

  acquire(): Runtime {
    const rt = this.#current;
    rt.inflight++;
    return rt;
  }

  release(rt: Runtime): void {
    rt.inflight--;
    if (rt.inflight === 0 && this.#retiring.has(rt)) this.#retire(rt);
    if (this.#idle.length > 0 && this.inflight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Resolves once no request is in flight (at once if none is): the drain waits on it, not on a poll. */
  whenIdle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Installs `next`; the previous runtime is cleaned up once idle. */
  swap(next: Runtime): void {
    const prev = this.#current;
    this.#current = next;
    if (prev.inflight === 0) this.#retire(prev);
    else this.#retiring.add(prev);
  }

  #retire(rt: Runtime): void {
    this.#retiring.delete(rt);
    this.#onRetired?.(rt, this.#current);
    void rt.upstream.close().catch(() => {});
  }

  /** Every runtime still holding pools (current + retiring), for shutdown. */
  all(): Runtime[] {
    return [this.#current, ...this.#retiring];
  }
}
