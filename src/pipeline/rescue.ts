/**
 * The one place a failure becomes the client's response (linkerd's
 * ServerRescue). Before the head is sent: a JSON local reply with the
 * catalogued status and reason. After: the connection is destroyed, so a
 * truncated body can never look complete. A client that left gets nothing and
 * is recorded as 499.
 */
import type { ServerResponse } from 'node:http';
import type { RequestContext } from './context.ts';
import { ProxyError, REASONS, type Reason } from './errors.ts';

export function toProxyError(err: unknown): ProxyError {
  return err instanceof ProxyError ? err : new ProxyError('internal_error', { cause: err });
}

/** The body of every reply Sidelight makes itself: `{error, reason, request_id}`. */
export function localReplyBody(reason: Reason, requestId: string): string {
  return JSON.stringify({ error: REASONS[reason].message, reason, request_id: requestId });
}

/** Writes the local reply with the reason's status. */
export function writeLocalReply(
  res: ServerResponse,
  err: ProxyError,
  requestId: string,
  requestIdHeader: string,
  extra?: readonly [name: string, value: string],
): void {
  const body = localReplyBody(err.reason, requestId);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [requestIdHeader]: requestId,
    ...err.headers,
  };
  if (extra !== undefined) headers[extra[0]] = extra[1];
  res.writeHead(err.status, headers);
  res.end(body);
}

export function rescue(ctx: RequestContext, err: ProxyError): void {
  ctx.error ??= err;
  const res = ctx.res;
  if (ctx.clientGone) {
    ctx.status = 499;
    return;
  }
  if (res.headersSent) {
    // Mid-body failure: the status line is gone; only a broken connection is honest.
    ctx.cutAfterHead = true;
    res.destroy(err);
    return;
  }
  ctx.status = err.status;
  // Part of the request body may still be on the wire, unread (the upstream
  // stopped reading it, or the client stalled): the connection cannot carry
  // another request, so it closes after the reply.
  if (!ctx.req.complete) res.shouldKeepAlive = false;
  writeLocalReply(
    res,
    err,
    ctx.requestId,
    ctx.runtime.policy.requestIdHeader,
    ctx.observer?.traceResponse(ctx),
  );
}
