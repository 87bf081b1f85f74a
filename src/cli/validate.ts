/** `sidelight validate FILE`: every problem with file, field path and reason. */
import { ConfigError, formatProblem } from '../config/errors.ts';
import { loadConfig } from '../config/load.ts';
import { provision } from '../config/provision.ts';

export async function runValidate(file: string): Promise<number> {
  try {
    const config = await loadConfig(file);
    // Provision too (route templates are checked there), then drop the pools.
    const runtime = provision(config, 0, file);
    await runtime.upstream.destroy();
    const routes = config.routes.length || 1;
    process.stdout.write(
      `${file}: ok (${routes} route${routes === 1 ? '' : 's'}, ${config.upstream.endpoints.length} endpoint${config.upstream.endpoints.length === 1 ? '' : 's'})\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
}
