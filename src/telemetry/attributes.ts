/**
 * Attribute keys and the closed sets label values come from. Stable keys are
 * imported from @opentelemetry/semantic-conventions; incubating ones are
 * copied here (the semconv package's own advice) so a minor release cannot
 * rename them under us.
 */
import type { RequestContext } from '../pipeline/context.ts';

export {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';

/** Incubating (semconv 1.45): body sizes. */
export const ATTR_HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';
export const ATTR_HTTP_RESPONSE_BODY_SIZE = 'http.response.body.size';

/** Sidelight's own attributes. */
export const ATTR_SIDELIGHT_ROUTE_NAME = 'sidelight.route.name';
export const ATTR_SIDELIGHT_REQUEST_ID = 'sidelight.request_id';
export const ATTR_SIDELIGHT_CONFIG_GENERATION = 'sidelight.config.generation';

/** Events on the CLIENT span of an upstream attempt. */
export const EVENT_POOL_ACQUIRED = 'sidelight.pool.acquired';
export const EVENT_CONNECT_START = 'sidelight.connect.start';
export const EVENT_CONNECT_END = 'sidelight.connect.end';
export const EVENT_FIRST_BYTE = 'sidelight.response.first_byte';
/** semconv's exception event (`exception.type`, `exception.message`) on a failed attempt. */
export const EVENT_EXCEPTION = 'exception';

/** `http_route` value when no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The methods semconv knows (RFC 9110 + PATCH + QUERY); anything else is `_OTHER`. */
export const KNOWN_METHODS = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
] as const;
const KNOWN = new Set<string>(KNOWN_METHODS);

export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN.has(method) ? method : '_OTHER';
}

/**
 * `error.type`: the catalogued reason when the proxy answered or failed
 * itself, else the status code for a 5xx from the upstream, else '' (no error).
 */
export function errorTypeOf(ctx: RequestContext): string {
  if (ctx.error !== undefined) return ctx.error.reason;
  return ctx.status >= 500 ? String(ctx.status) : '';
}
