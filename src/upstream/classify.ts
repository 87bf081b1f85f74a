/**
 * Maps what undici and the socket layer throw to a catalogued reason. This is
 * the only place that knows undici's error codes; everything after it speaks
 * reasons (errors.ts).
 */
import { ProxyError, type Reason } from '../pipeline/errors.ts';

const BY_CODE: Record<string, Reason> = {
  UND_ERR_CONNECT_TIMEOUT: 'upstream_connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'upstream_timeout',
  UND_ERR_BODY_TIMEOUT: 'upstream_timeout',
  UND_ERR_SOCKET: 'upstream_reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'upstream_protocol_error',
  UND_ERR_HEADERS_OVERFLOW: 'upstream_protocol_error',
  UND_ERR_INFO: 'upstream_protocol_error',
  UND_ERR_DESTROYED: 'upstream_unavailable',
  UND_ERR_CLOSED: 'upstream_unavailable',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'bad_request',
  ECONNREFUSED: 'upstream_connect_failed',
  EHOSTUNREACH: 'upstream_connect_failed',
  ENETUNREACH: 'upstream_connect_failed',
  ENOTFOUND: 'upstream_connect_failed',
  EAI_AGAIN: 'upstream_connect_failed',
  ECONNRESET: 'upstream_reset',
  EPIPE: 'upstream_reset',
  ETIMEDOUT: 'upstream_connect_timeout',
};

/** Turns any thrown value of an upstream attempt into a ProxyError. */
export function classifyUpstreamError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const reason = BY_CODE[code];
    // The detail names what happened in the failure's own terms: which timeout and its value
    // (the connector's message), else the code (ECONNREFUSED ...).
    const detail = code === 'UND_ERR_CONNECT_TIMEOUT' ? `(${(err as Error).message})` : `(${code})`;
    if (reason) return new ProxyError(reason, { cause: err, detail });
    if (code.startsWith('HPE_')) return new ProxyError('upstream_protocol_error', { cause: err, detail });
  }
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'HTTPParserError') return new ProxyError('upstream_protocol_error', { cause: err });
  return new ProxyError('upstream_reset', { cause: err });
}
