/**
 * The one catalogue of reasons the proxy answers a request itself (or records a
 * failure). A reason is a closed-set, machine-readable string: it appears in the
 * JSON body, the span's `error.type`, the access log and the `error_type` metric
 * label alike. `docs/errors.md` is checked against this table by a test.
 *
 * Upstream failures are 502/503/504, never 500 (DESIGN.md). A client that went
 * away is 499 and never blamed on the upstream.
 */

export interface ReasonSpec {
  /** HTTP status of the local reply. */
  readonly status: number;
  /** Whether a retry of the same request could succeed (used by the retry policy). */
  readonly retryable: boolean;
  /** One sentence for humans; also the `error` field of the JSON body. */
  readonly message: string;
}

export const REASONS = {
  bad_request: { status: 400, retryable: false, message: 'The request cannot be proxied as sent.' },
  request_timeout: { status: 408, retryable: false, message: 'The request was not received in time.' },
  headers_too_large: {
    status: 431,
    retryable: false,
    message: 'The request header section is too large.',
  },
  path_not_normalizable: {
    status: 400,
    retryable: false,
    message: 'The request path cannot be normalised safely.',
  },
  no_route: { status: 404, retryable: false, message: 'No route matches this request.' },
  method_not_allowed: {
    status: 405,
    retryable: false,
    message: 'A route matches this path but not this method.',
  },
  client_closed: {
    status: 499,
    retryable: false,
    message: 'The client closed the connection before the response was complete.',
  },
  internal_error: { status: 500, retryable: false, message: 'Sidelight failed unexpectedly.' },
  unsupported_transfer_coding: {
    status: 501,
    retryable: false,
    message: 'The request uses a transfer coding Sidelight does not implement.',
  },
  upstream_connect_failed: {
    status: 502,
    retryable: true,
    message: 'The upstream refused or could not be reached.',
  },
  upstream_reset: {
    status: 502,
    retryable: true,
    message: 'The upstream closed or reset the connection.',
  },
  upstream_protocol_error: {
    status: 502,
    retryable: false,
    message: 'The upstream sent an invalid HTTP response.',
  },
  upstream_unavailable: { status: 503, retryable: true, message: 'No upstream endpoint is available.' },
  draining: { status: 503, retryable: true, message: 'Sidelight is shutting down.' },
  upstream_connect_timeout: {
    status: 504,
    retryable: true,
    message: 'Connecting to the upstream timed out.',
  },
  upstream_timeout: {
    status: 504,
    retryable: false,
    message: 'The upstream did not respond in time.',
  },
} as const satisfies Record<string, ReasonSpec>;

export type Reason = keyof typeof REASONS;

/**
 * A failure with a catalogued reason. Phases throw it (or return a local reply);
 * the rescue in `rescue.ts` turns it into the client's response.
 */
export class ProxyError extends Error {
  readonly reason: Reason;
  readonly status: number;
  readonly retryable: boolean;
  /** Extra response headers of the local reply (e.g. `Allow` on 405). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    reason: Reason,
    options?: { cause?: unknown; detail?: string; headers?: Record<string, string> },
  ) {
    const spec = REASONS[reason];
    super(options?.detail ? `${spec.message} ${options.detail}` : spec.message, { cause: options?.cause });
    this.name = 'ProxyError';
    this.reason = reason;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.headers = options?.headers;
  }
}

/** Every reason, for closed-set label checks and docs. */
export const ALL_REASONS = Object.keys(REASONS) as Reason[];
