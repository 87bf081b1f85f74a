/**
 * How the config schema marks the fields that hold secrets. The schema only
 * says *where* a secret is (`.meta(secret('userinfo'))`); what that means for
 * logs, exports, `/config` and error messages is decided once, in
 * src/security/redact.ts. A new secret field (a JWT key, a Redis password)
 * is marked here and is then covered everywhere.
 */

/**
 * - `value`: the whole string is secret (a password, a key, a token).
 * - `userinfo`: a URL whose `user:password@` part is secret; the rest is not.
 * - `header-values`: a map of header name -> value; values of credential
 *   headers (Authorization, Cookie, API keys: see redact.ts) are secret.
 */
export type SecretKind = 'value' | 'userinfo' | 'header-values';

/** The metadata key the schema walker looks for. */
export const SECRET_META = 'secret';

/** Metadata for `.meta()`: `z.string().meta(secret('value'))`. */
export function secret(kind: SecretKind): { [SECRET_META]: SecretKind } {
  return { [SECRET_META]: kind };
}
