/**
 * Connect timings of upstream attempts, reported to the observer. undici publishes `undici:client:sendHeaders`
 * synchronously right after a request's onRequestStart, with the socket it was
 * written to; a socket our connector dialled carries its connect timing
 * (upstream/connector.ts). The attempt that just acquired a connection waits
 * here for that event, and the first request on a new socket reports the
 * connect as two events.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { connectTimingOf } from './connector.ts';

type OnConnect = (start: number, end: number) => void;

let waiting: OnConnect | undefined;
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const cb = waiting;
  if (cb === undefined) return;
  waiting = undefined;
  const socket = (message as { socket?: Socket }).socket;
  if (socket === undefined) return;
  const timing = connectTimingOf(socket);
  if (timing === undefined || timing.reported) return;
  timing.reported = true;
  cb(timing.start, timing.end);
}

/** Called by a recording attempt in onRequestStart; `cb` runs if its socket is new. */
export function expectConnect(cb: OnConnect): void {
  if (!subscribed) {
    subscribe('undici:client:sendHeaders', onSendHeaders);
    subscribed = true;
  }
  waiting = cb;
}

export function cancelExpectConnect(): void {
  waiting = undefined;
}
