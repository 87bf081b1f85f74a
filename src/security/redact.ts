/**
 * The one secrets rule (issue 9, item 4): what is secret, and how it is kept
 * inside the process. Which config fields are secret is read from the schema
 * (src/config/secret-marks.ts); URL userinfo is secret wherever it appears.
 *
 * - `redactConfig` is the shown form of a config (`/config`, reload records):
 *   marked fields replaced, userinfo removed from every URL.
 * - `Redactor` knows the secret *values* of every config this process has run
 *   (and of OTEL_EXPORTER_OTLP_HEADERS) and scrubs them from text that leaves
 *   the process: each log line before it is written to stdout or OTLP, the
 *   resource attributes (`process.command_args` carries argv), the start-up
 *   record. A secret that reaches a log by a path nobody thought of (an error
 *   message that echoes a URL) is still replaced.
 */
import type { z } from 'zod';
import { configSchema } from '../config/schema.ts';
import { itemOf, kind, metaOf, shapeOf } from '../config/schema-walk.ts';
import { SECRET_META, type SecretKind } from '../config/secret-marks.ts';
import { REDACTED, redactUrl, redactUserinfo } from './userinfo.ts';

export { REDACTED, redactUrl, redactUserinfo };

/**
 * Header names whose values are credentials: RFC 9110 §11.6.2 and §11.7.2
 * (Authorization, Proxy-Authorization), RFC 6265 (Cookie, Set-Cookie), and the
 * usual API-key and token headers.
 */
const CREDENTIAL_HEADER =
  /^(?:(?:proxy-)?authorization|(?:set-)?cookie|(?:x-)?api-?key|.*[-_](?:token|secret|api-?key|password))$/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

function secretKind(schema: z.core.$ZodType | undefined): SecretKind | undefined {
  return schema === undefined ? undefined : (metaOf(schema, SECRET_META) as SecretKind | undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Walks `value` alongside its schema; `visit` sees every string with the
 * secret kind of its field (and the map key, for `header-values`).
 */
function walk(
  value: unknown,
  schema: z.core.$ZodType | undefined,
  visit: (s: string, mark: SecretKind | undefined, key: string) => string,
  key = '',
  inherited?: SecretKind,
): unknown {
  const mark = secretKind(schema) ?? inherited;
  if (typeof value === 'string') return visit(value, mark, key);
  if (Array.isArray(value)) {
    const item = schema === undefined ? undefined : itemOf(schema);
    return value.map((v) => walk(v, item, visit, key));
  }
  if (isObject(value)) {
    const shape = schema === undefined ? undefined : shapeOf(schema);
    const values = schema !== undefined && kind(schema) === 'record' ? itemOf(schema) : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A map's values inherit the map's mark (header-values applies per key).
      out[k] = walk(v, shape?.[k] ?? values, visit, k, mark === 'header-values' ? mark : undefined);
    }
    return out;
  }
  return value;
}

function isSecretString(mark: SecretKind | undefined, key: string): boolean {
  return mark === 'value' || (mark === 'header-values' && isCredentialHeader(key));
}

/** The config as it may be shown: secret fields replaced, URL userinfo removed everywhere. */
export function redactConfig(value: unknown, schema: z.core.$ZodType = configSchema): unknown {
  return walk(value, schema, (s, mark, key) => (isSecretString(mark, key) ? REDACTED : redactUrl(s)));
}

/** The strings that give a URL's credentials away: the password as written and decoded, and the Basic form. */
function userinfoSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  if (parsed.username === '' && parsed.password === '') return [];
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const out = [parsed.password, password, Buffer.from(`${user}:${password}`).toString('base64')];
  if (parsed.password === '') out.push(parsed.username, user);
  return out;
}

/** A credential header's value, and its token without the scheme (`Bearer abc` -> `abc`). */
function headerSecrets(value: string): string[] {
  const token = /^[A-Za-z][\w-]*\s+(\S+)$/.exec(value)?.[1];
  return token === undefined ? [value] : [value, token];
}

/** Every secret value in a config, found by the schema's marks. */
export function secretsOf(config: unknown, schema: z.core.$ZodType = configSchema): string[] {
  const found: string[] = [];
  walk(config, schema, (s, mark, key) => {
    if (isSecretString(mark, key)) found.push(...headerSecrets(s));
    else if (mark === 'userinfo') found.push(...userinfoSecrets(s));
    return s;
  });
  return found;
}

/**
 * Shorter values are not scrubbed from free text: replacing "ab" in every log
 * line would mangle records and protect nothing. The structured redaction
 * (`redactConfig`, `redactUrl`) still covers them.
 */
export const MIN_SCRUBBED_LENGTH = 4;

export class Redactor {
  /** Longest first, so a secret that contains another is replaced whole. */
  #secrets: string[] = [];

  /** Learns the secrets of a config (the first one and every reload: old secrets stay secret). */
  addConfig(config: unknown): this {
    for (const s of secretsOf(config)) this.add(s);
    return this;
  }

  /** A URL's credentials, for URLs that are not in the config (an OTLP endpoint). */
  addUrl(url: string | undefined): this {
    if (url !== undefined) for (const s of userinfoSecrets(url)) this.add(s);
    return this;
  }

  /** `OTEL_EXPORTER_OTLP_HEADERS`-style `k=v,k2=v2`: every value is a credential for the collector. */
  addHeaderList(list: string | undefined): this {
    for (const pair of (list ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) for (const s of headerSecrets(decodeURIComponent(pair.slice(eq + 1).trim()))) this.add(s);
    }
    return this;
  }

  add(secret: string): void {
    if (secret.length < MIN_SCRUBBED_LENGTH) return;
    // JSON-escaped too: log lines are JSON, so `a"b` is written `a\"b`.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (!this.#secrets.includes(form)) this.#secrets.push(form);
    }
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#secrets.length;
  }

  /** `text` with every known secret and every URL's userinfo replaced; the same string when there is none. */
  scrub = (text: string): string => {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.replaceAll(s, REDACTED);
    return redactUserinfo(out);
  };
}
