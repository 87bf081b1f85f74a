/**
 * The connector every upstream pool dials with: undici's own, timed. Each new
 * socket remembers when its connect started and finished, so the first
 * request on it can show the connect as events on its CLIENT span.
 */
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

export interface ConnectTiming {
  /** performance.now() at dial and at established. */
  readonly start: number;
  readonly end: number;
  /** Set once the timing has been reported on a request. */
  reported: boolean;
}

const timings = new WeakMap<Socket, ConnectTiming>();

export function connectTimingOf(socket: Socket): ConnectTiming | undefined {
  return timings.get(socket);
}

/** A connector with the route's connect timeout, recording when each socket connected. */
export function timedConnector(timeoutMs: number): buildConnector.connector {
  // 0 keeps undici's default connect timeout (10 s).
  const base = buildConnector(timeoutMs > 0 ? { timeout: timeoutMs } : {});
  return (options, callback) => {
    const start = performance.now();
    base(options, (...args) => {
      const socket = args[1];
      if (socket) timings.set(socket, { start, end: performance.now(), reported: false });
      callback(...args);
    });
  };
}
