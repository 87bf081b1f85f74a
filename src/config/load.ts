/**
 * Config sources, in order of precedence: CLI flags, then SIDELIGHT_* env,
 * then the file (YAML, JSON, or a TypeScript/JS module exporting
 * `defineConfig({...})`), then the schema defaults. Everything is validated by
 * the one schema; every problem carries the file and the field path.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './errors.ts';
import { issuesToProblems } from './issues.ts';
import { type Config, configSchema } from './schema.ts';

/** The zero-config knobs: `--upstream`, `--listen`, `--admin`. */
export interface ConfigOverrides {
  upstream?: string | undefined;
  listen?: string | undefined;
  admin?: string | undefined;
}

const SOURCE_FLAGS = '<flags>';

function problem(file: string, message: string, path: (string | number)[] = []): ConfigError {
  return new ConfigError([{ file, path, message }]);
}

let importNonce = 0;

/**
 * The parser's first line ("... at line 3, column 5:") announces the source
 * excerpt it prints below; a one-line problem ends with that line instead, so
 * it never ends in a dangling colon. A URL's userinfo in it is masked.
 */
function yamlProblem(err: YAMLParseError, text: string): string {
  const head = err.message.split('\n')[0]!.replace(/:\s*$/, '');
  const lineNo = err.linePos?.[0].line;
  const line = lineNo === undefined ? undefined : text.split(/\r?\n/)[lineNo - 1]?.trim();
  if (!line) return head;
  return `${head}: ${line.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1[redacted]@')}`;
}

/** Reads and parses a config file into a plain value (not yet validated). */
export async function readConfigFile(file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    try {
      await stat(file);
    } catch (err) {
      throw problem(
        file,
        `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    try {
      // A fresh URL per load, so a reload sees the edited module.
      const mod = (await import(`${pathToFileURL(resolve(file)).href}?v=${++importNonce}`)) as {
        default?: unknown;
      };
      if (mod.default === undefined)
        throw problem(file, 'the module has no default export (export default defineConfig({...}))');
      return mod.default;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw problem(file, `cannot load module: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw problem(file, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (text.trim() === '') throw problem(file, 'the file is empty');
  if (ext === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw problem(file, `invalid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (err) {
    throw problem(
      file,
      `invalid YAML: ${err instanceof YAMLParseError ? yamlProblem(err, text) : String(err)}`,
    );
  }
}

/** Validates a raw value against the schema; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, file: string): Config {
  // reportInput: issues.ts echoes a value only where it cannot be a secret (enum choices).
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(issuesToProblems(result.error.issues, file, configSchema));
}

function applyOverrides(raw: unknown, o: ConfigOverrides): Record<string, unknown> {
  const base: Record<string, unknown> =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? { ...(raw as Record<string, unknown>) }
      : {};
  if (o.listen !== undefined) base.listen = o.listen;
  if (o.admin !== undefined) base.admin = { ...(base.admin as object | undefined), listen: o.admin };
  if (o.upstream !== undefined) {
    base.upstream = { ...(base.upstream as object | undefined), endpoints: [{ url: o.upstream }] };
  }
  return base;
}

/** Loads, overlays and validates. `file` undefined: flags/env only (zero config). */
export async function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}): Promise<Config> {
  if (file === undefined && overrides.upstream === undefined) {
    throw problem(SOURCE_FLAGS, 'no upstream: pass --upstream URL (or SIDELIGHT_UPSTREAM) or --config FILE', [
      'upstream',
    ]);
  }
  const raw = file === undefined ? {} : await readConfigFile(file);
  if (file !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw problem(file, 'the config must be a mapping (object) at the top level');
  }
  return validateConfig(applyOverrides(raw, overrides), file ?? SOURCE_FLAGS);
}
