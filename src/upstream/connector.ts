/**
 * The connector every upstream pool dials with: undici's own, timed. Each new
 * socket remembers when its connect started and finished, so the first
 * request on it can show the connect as events on its CLIENT span.
 */
import type { Socket } from 'node:net';
import { buildConnector, errors } from 'undici';

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

/** undici's connect timeout when the route sets none (0). */
const DEFAULT_CONNECT_TIMEOUT = 10_000;

/**
 * A connector with the route's connect timeout, recording when each socket
 * connected. The timeout is a Node timer (millisecond resolution): undici's
 * own ticks every ~500 ms, so a 300 ms connect timeout fired at ~1 s (#9).
 */
export function timedConnector(timeoutMs: number): buildConnector.connector {
  const ms = timeoutMs > 0 ? timeoutMs : DEFAULT_CONNECT_TIMEOUT;
  // undici's connector returns the socket it dials (its type says void).
  const base = buildConnector({ timeout: 0 }) as unknown as (
    options: buildConnector.Options,
    callback: buildConnector.Callback,
  ) => Socket;
  return (options, callback) => {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const socket = base(options, (...args) => {
      clearTimeout(timer);
      const connected = args[1];
      if (connected) timings.set(connected, { start, end: performance.now(), reported: false });
      callback(...args);
    });
    timer = setTimeout(() => {
      // The connector's error listener reports this to undici (and so to the attempt).
      socket.destroy(new errors.ConnectTimeoutError(`connect ${ms} ms`));
    }, ms);
  };
}
