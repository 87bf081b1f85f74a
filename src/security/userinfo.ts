/**
 * URL userinfo (`scheme://user:password@host`) is a credential wherever it
 * appears (RFC 3986 §3.2.1 deprecates passwords in URLs for this reason).
 * A leaf module, so config errors can use it without importing the schema.
 */
export const REDACTED = '[redacted]';

/** `scheme://userinfo@` at the start of a string; greedy to the last `@` before the path, as URL parsers read it. */
const LEADING_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i;
/** The same anywhere in a text; a quote or whitespace ends the URL (log lines are JSON). */
const ANY_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'<>]*@/gi;

/** `http://user:pass@host:3000` -> `http://[redacted]@host:3000`; other strings unchanged. */
export function redactUrl(url: string): string {
  return url.replace(LEADING_USERINFO, `$1${REDACTED}@`);
}

/** Every URL's userinfo in `text` replaced; the same string when there is none. */
export function redactUserinfo(text: string): string {
  return text.includes('@') ? text.replace(ANY_USERINFO, `$1${REDACTED}@`) : text;
}
