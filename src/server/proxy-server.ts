/**
 * The HTTP/1.1 listener. It hands every request to the pipeline and answers
 * malformed requests (which never reach the pipeline) with the same JSON
 * local-reply shape and a catalogued reason.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RuntimeStore } from '../config/store.ts';
import type { Reason } from '../pipeline/errors.ts';
import { REASONS } from '../pipeline/errors.ts';
import { handleRequest, type RequestObserver } from '../pipeline/pipeline.ts';
import { localReplyBody } from '../pipeline/rescue.ts';

function clientErrorReason(code: string | undefined): Reason {
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

export function createProxyServer(
  store: RuntimeStore,
  observer: RequestObserver | undefined,
  log: Logger,
): Server {
  const server = createServer(
    {
      // The total budget per route governs slow uploads; Node's own 300 s cap would cut 1 GiB transfers.
      requestTimeout: 0,
      headersTimeout: 30_000,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      handleRequest(store, observer, req, res).catch((err: unknown) => {
        log.error({ err }, 'request handling failed');
        if (!res.headersSent) res.destroy();
      });
    },
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const reason = clientErrorReason(err.code);
    const spec = REASONS[reason];
    // Same body as every other local reply (rescue.ts), request id header included.
    const requestId = randomUUID();
    const body = localReplyBody(reason, requestId);
    socket.end(
      `HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status]}\r\nconnection: close\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `cache-control: no-store\r\n${store.current.policy.requestIdHeader}: ${requestId}\r\n\r\n${body}`,
    );
  });
  return server;
}
