/**
 * Endpoint handlers of the demo service and the small HTTP helpers they share.
 * Routing lives in `server.ts`; payloads live in `data.ts`.
 */

import type http from 'node:http';
import { pipeline } from 'node:stream';
import {
  BIG_CHUNK,
  BIG_CHUNK_BYTES,
  FEED_BODY,
  itemJson,
  userCouponsDocument,
  userDocument,
  userOrdersDocument,
  userPointsDocument,
} from './data.ts';

type Req = http.IncomingMessage;
type Res = http.ServerResponse;
export interface Ctx {
  readonly req: Req;
  readonly res: Res;
  /** Percent-decoded path parameters; absent when the path had no such segment. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}
export type Handler = (ctx: Ctx) => void | Promise<void>;

const MiB = 1024 * 1024;
const BIG_MAX_BYTES = 10 * 1024 * MiB;
const RESET_MAX_BYTES = 64 * MiB;
const SLOW_MAX_MS = 60_000;
const ORDER_BODY_LIMIT = 64 * 1024;

export function sendJson(
  res: Res,
  status: number,
  value: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

export function badRequest(res: Res, message: string): void {
  sendJson(res, 400, { error: 'bad_request', message });
}

/** A non-negative integer query parameter: its default when absent, null when invalid or above `max`. */
function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number | null {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,12}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= max ? n : null;
}

/** The numeric `:id` path parameter, or null after replying 400 when missing or non-numeric. */
function idParam({ params, res }: Ctx): number | null {
  // 15 digits keeps every id exact as a JS number.
  if (params.id !== undefined && /^\d{1,15}$/.test(params.id)) return Number(params.id);
  badRequest(res, 'id must be a non-negative integer');
  return null;
}

/** Reads the body up to `limit` bytes; resolves null as soon as it is exceeded (the rest is drained). */
function readBody(req: Req, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Buffer | null): void => {
      settled = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (settled) return;
      if (size > limit) settle(null);
      else chunks.push(chunk);
    });
    req.on('end', () => settled || settle(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => settled || req.complete || reject(new Error('request aborted')));
  });
}

/** Counts request body bytes without buffering them. */
function countBody(req: Req): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => resolve(bytes));
    req.on('error', reject);
    req.on('close', () => req.complete || reject(new Error('request aborted')));
  });
}

export const healthz: Handler = ({ res }) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('ok');
};

/** `itemJson` is already serialised (exactly 1 KiB), so this skips `sendJson`. */
export const item: Handler = (ctx) => {
  const id = idParam(ctx);
  if (id === null) return;
  const body = Buffer.from(itemJson(id));
  ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
};

export const feed: Handler = ({ res }) => {
  res
    .writeHead(200, { 'content-type': 'application/json', 'content-length': FEED_BODY.length })
    .end(FEED_BODY);
};

function jsonDocument(doc: (id: number) => Record<string, unknown>): Handler {
  return (ctx) => {
    const id = idParam(ctx);
    if (id !== null) sendJson(ctx.res, 200, doc(id));
  };
}
export const user = jsonDocument(userDocument);
export const userOrders = jsonDocument(userOrdersDocument);
export const userCoupons = jsonDocument(userCouponsDocument);
export const userPoints = jsonDocument(userPointsDocument);

/** Writes `total` pattern bytes in 64 KiB chunks, waiting for 'drain' on backpressure; stops on close. */
function streamPattern(res: Res, total: number): void {
  let remaining = total;
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const n = Math.min(remaining, BIG_CHUNK_BYTES);
      remaining -= n;
      if (!res.write(n === BIG_CHUNK_BYTES ? BIG_CHUNK : BIG_CHUNK.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.once('close', () => res.removeListener('drain', pump));
  pump();
}

export const big: Handler = ({ req, res, query }) => {
  const bytes = intParam(query, 'bytes', MiB, BIG_MAX_BYTES);
  if (bytes === null) return badRequest(res, `bytes must be an integer in 0..${BIG_MAX_BYTES}`);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
  if (req.method === 'HEAD') res.end();
  else streamPattern(res, bytes);
};

export const echo: Handler = ({ req, res }) => {
  res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
  res.flushHeaders(); // no content-length: commits to chunked encoding and starts streaming at once
  pipeline(req, res, () => {}); // on error pipeline destroys both sides; nothing more to do
};

export const headers: Handler = ({ req, res }) => {
  sendJson(res, 200, { headers: req.headers, rawHeaders: req.rawHeaders, url: req.url, method: req.method });
};

export const slow: Handler = ({ res, query }) => {
  const ms = intParam(query, 'ms', 1000, SLOW_MAX_MS);
  if (ms === null) return badRequest(res, `ms must be an integer in 0..${SLOW_MAX_MS}`);
  const timer = setTimeout(() => sendJson(res, 200, { waited: ms }), ms);
  res.once('close', () => clearTimeout(timer));
};

/** Headers at once, then `chunks` lines, each (and the final end) after an idle gap of `ms`. */
export const slowBody: Handler = ({ res, query }) => {
  const ms = intParam(query, 'ms', 1000, SLOW_MAX_MS);
  const chunks = intParam(query, 'chunks', 3, 1000);
  if (ms === null || chunks === null) {
    return badRequest(res, `ms must be an integer in 0..${SLOW_MAX_MS}, chunks in 0..1000`);
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.flushHeaders();
  let sent = 0;
  const tick = (): void => {
    if (sent === chunks) {
      res.end();
      return;
    }
    sent += 1;
    res.write(`chunk ${sent}/${chunks}\n`);
    timer = setTimeout(tick, ms);
  };
  let timer = setTimeout(tick, ms);
  res.once('close', () => clearTimeout(timer));
};

export const status: Handler = ({ res, params }) => {
  const raw = params.code ?? '';
  const code = Number(raw);
  // 1xx are informational and cannot be a final response.
  if (!/^\d{3}$/.test(raw) || code < 200 || code > 599) {
    return badRequest(res, 'code must be an integer in 200..599');
  }
  if (code === 204 || code === 304) res.writeHead(code).end();
  else sendJson(res, code, { status: code });
};

/** `POST /api/orders`; order ids count up from 1 per handler (i.e. per server). */
export function createOrdersHandler(): Handler {
  let nextOrderId = 1;
  return async ({ req, res }) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > ORDER_BODY_LIMIT ? null : await readBody(req, ORDER_BODY_LIMIT);
    if (body === null) return sendJson(res, 413, { error: 'payload_too_large', limit: ORDER_BODY_LIMIT });
    let received: unknown;
    try {
      received = JSON.parse(body.toString('utf8'));
    } catch {
      return badRequest(res, 'body must be valid JSON');
    }
    sendJson(res, 201, { orderId: nextOrderId++, received });
  };
}

export const paymentsWebhook: Handler = async ({ req, res }) => {
  sendJson(res, 200, { accepted: true, bytes: await countBody(req) });
};

export const redeemCoupon: Handler = ({ res, params }) => {
  const code = params.code ?? '';
  if (code === '') return badRequest(res, 'coupon code is required');
  sendJson(res, 200, { code, redeemed: true });
};

/** Promises `2 * bytes` via content-length, sends `bytes`, then destroys the socket. */
export const resetMidBody: Handler = ({ res, query }) => {
  const bytes = intParam(query, 'bytes', 1024, RESET_MAX_BYTES);
  if (bytes === null) return badRequest(res, `bytes must be an integer in 0..${RESET_MAX_BYTES}`);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes * 2 });
  res.write(Buffer.alloc(bytes, 0x61), () => res.socket?.destroy());
};
