/**
 * Command-line parsing. Flags win over SIDELIGHT_* environment variables,
 * which win over the config file. Usage errors exit 2 with one line on stderr.
 */
import { parseArgs } from 'node:util';
import type { ConfigOverrides } from '../config/load.ts';

export const USAGE = `Usage:
  sidelight [--upstream URL] [--listen HOST:PORT] [--admin HOST:PORT] [--config FILE]
  sidelight validate FILE
  sidelight demo [--listen HOST:PORT] [--admin HOST:PORT] [--demo-listen HOST:PORT]
  sidelight --help | --version

Run (default):
  --upstream URL       the service to front, e.g. http://127.0.0.1:3000   (SIDELIGHT_UPSTREAM)
  --listen HOST:PORT   where clients connect (default 127.0.0.1:8080)     (SIDELIGHT_LISTEN)
  --admin HOST:PORT    health, readiness, config, metrics (default 127.0.0.1:9901) (SIDELIGHT_ADMIN)
  --config FILE        YAML, JSON or TypeScript config (see docs/config.md) (SIDELIGHT_CONFIG)

Commands:
  validate FILE        check a config file; prints every problem with its field path
  demo                 start the built-in demo service with a sidecar in front of it

Exit codes: 0 success, 1 runtime failure, 2 usage or config error.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; configFile: string | undefined; overrides: ConfigOverrides }
  | { kind: 'validate'; file: string }
  | { kind: 'demo'; overrides: ConfigOverrides; demoListen: string };

/**
 * parseArgs' own text for an unknown option ends in an unbalanced quote
 * (`as in '-- "--bogus"`), so that one is said in our words.
 */
function usageMessage(err: NodeJS.ErrnoException): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown)
    return `unknown option "${unknown[1]}" (try --help; a value that starts with "-" goes after "--")`;
  return err.message;
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        upstream: { type: 'string' },
        listen: { type: 'string' },
        admin: { type: 'string' },
        config: { type: 'string', short: 'c' },
        'demo-listen': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError(usageMessage(err as NodeJS.ErrnoException));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const overrides: ConfigOverrides = {
    upstream: str(values.upstream) ?? env.SIDELIGHT_UPSTREAM,
    listen: str(values.listen) ?? env.SIDELIGHT_LISTEN,
    admin: str(values.admin) ?? env.SIDELIGHT_ADMIN,
  };
  const [command, ...rest] = positionals;
  if (command === undefined) {
    return { kind: 'run', configFile: str(values.config) ?? env.SIDELIGHT_CONFIG, overrides };
  }
  if (command === 'validate') {
    const file = rest[0] ?? str(values.config);
    if (file === undefined || rest.length > 1) throw new UsageError('validate takes exactly one FILE');
    return { kind: 'validate', file };
  }
  if (command === 'demo') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    return { kind: 'demo', overrides, demoListen: str(values['demo-listen']) ?? '127.0.0.1:3000' };
  }
  throw new UsageError(`unknown command "${command}" (try --help)`);
}
