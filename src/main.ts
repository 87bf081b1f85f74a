/**
 * Entry point: args -> command. Exit codes: 0 success, 1 runtime failure,
 * 2 usage or config error (with a one-line reason on stderr).
 */
import { parseCommand, USAGE, UsageError } from './cli/args.ts';
import { resolveSelfForConfigModules } from './cli/resolve-self.ts';
import { packageVersion } from './cli/version.ts';
import { ConfigError } from './config/errors.ts';

/**
 * A drained proxy has nothing left to do: exit now rather than when the last
 * handle goes. An OTLP exporter retrying an unreachable collector holds its
 * timers and sockets for up to its export timeout (10 s) after the bounded
 * final flush gave up (cli/run.ts, issue #9). pino's destination flushes
 * synchronously on exit, so no log record is lost.
 */
function exitNow(code: number): never {
  process.exit(code);
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(argv, process.env);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`sidelight ${packageVersion()}\n`);
      return 0;
    // Each command loads only what it needs: `validate` stays quick (no
    // telemetry SDK, no servers).
    case 'validate':
      resolveSelfForConfigModules();
      return (await import('./cli/validate.ts')).runValidate(cmd.file);
    case 'run':
      resolveSelfForConfigModules();
      return exitNow(await (await import('./cli/run.ts')).runProxy(cmd.configFile, cmd.overrides));
    case 'demo':
      return exitNow(await (await import('./cli/demo.ts')).runDemo(cmd.overrides, cmd.demoListen));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`sidelight: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      process.stderr.write(
        `sidelight: invalid config: ${err.problems.length > 1 ? `${err.problems.length} problems; first: ` : ''}${err.message.split('\n')[0]}\n`,
      );
      process.exitCode = 2;
    } else {
      process.stderr.write(`sidelight: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
