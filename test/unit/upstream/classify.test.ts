/**
 * classifyUpstreamError: every undici and socket error code the proxy knows
 * maps to its catalogued reason; anything else is a reset, never a 500.
 */
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ProxyError, REASONS } from '../../../src/pipeline/errors.ts';
import { classifyUpstreamError } from '../../../src/upstream/classify.ts';

function withCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('classifyUpstreamError', () => {
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream_connect_timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream_timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'upstream_timeout'],
    ['UND_ERR_SOCKET', 'upstream_reset'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'upstream_protocol_error'],
    ['UND_ERR_HEADERS_OVERFLOW', 'upstream_protocol_error'],
    ['UND_ERR_INFO', 'upstream_protocol_error'],
    ['UND_ERR_DESTROYED', 'upstream_unavailable'],
    ['UND_ERR_CLOSED', 'upstream_unavailable'],
    ['UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'bad_request'],
    ['ECONNREFUSED', 'upstream_connect_failed'],
    ['EHOSTUNREACH', 'upstream_connect_failed'],
    ['ENETUNREACH', 'upstream_connect_failed'],
    ['ENOTFOUND', 'upstream_connect_failed'],
    ['EAI_AGAIN', 'upstream_connect_failed'],
    ['ECONNRESET', 'upstream_reset'],
    ['EPIPE', 'upstream_reset'],
    ['ETIMEDOUT', 'upstream_connect_timeout'],
    ['HPE_INVALID_CONSTANT', 'upstream_protocol_error'],
    ['HPE_INVALID_HEADER_TOKEN', 'upstream_protocol_error'],
  ])('maps %s to %s, keeping the error as the cause', (code, reason) => {
    const err = withCode(code);
    const got = classifyUpstreamError(err);
    expect(got).toBeInstanceOf(ProxyError);
    expect(got.reason).toBe(reason);
    expect(got.status).toBe(REASONS[reason as keyof typeof REASONS].status);
    expect(got.cause).toBe(err);
  });

  it("maps undici's own error classes by their codes", () => {
    expect(classifyUpstreamError(new errors.HeadersTimeoutError()).reason).toBe('upstream_timeout');
    expect(classifyUpstreamError(new errors.ConnectTimeoutError()).reason).toBe('upstream_connect_timeout');
    expect(classifyUpstreamError(new errors.SocketError('other side closed')).reason).toBe('upstream_reset');
    expect(classifyUpstreamError(new errors.ClientDestroyedError()).reason).toBe('upstream_unavailable');
  });

  it('passes a ProxyError through unchanged (an abort carries its own reason)', () => {
    const draining = new ProxyError('draining');
    expect(classifyUpstreamError(draining)).toBe(draining);
  });

  it('maps a parser error by name, and anything unknown to upstream_reset', () => {
    const parser = Object.assign(new Error('bad'), { name: 'HTTPParserError' });
    expect(classifyUpstreamError(parser).reason).toBe('upstream_protocol_error');
    for (const odd of [new Error('?'), withCode('EWHATEVER'), null, undefined, 'string', 42]) {
      expect(classifyUpstreamError(odd).reason).toBe('upstream_reset');
    }
  });
});
