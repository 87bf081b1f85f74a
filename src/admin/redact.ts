/**
 * The effective config as the admin endpoint shows it: secrets replaced.
 * A field is secret when its key names one (token, secret, password, key...)
 * or it is the userinfo of a URL.
 */
const SECRET_KEY = /(secret|password|passwd|token|api[-_]?key|private[-_]?key|authorization|credentials?)$/i;

export function redactConfig(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return '[redacted]';
    return value.replace(/^(\w+:\/\/)[^/@\s]+@/, '$1[redacted]@');
  }
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactConfig(v, k);
    return out;
  }
  return value;
}
