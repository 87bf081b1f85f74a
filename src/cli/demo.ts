/**
 * `sidelight demo`: the built-in demo service plus a sidecar in front of it,
 * and the URLs to try.
 */
import { type ConfigOverrides, loadConfig } from '../config/load.ts';
import { listenAddress } from '../config/schema.ts';
import { startDemoServer } from '../demo/server.ts';
import { UsageError } from './args.ts';
import { startFromCli, untilSignal } from './run.ts';

export async function runDemo(overrides: ConfigOverrides, demoListen: string): Promise<number> {
  const parsed = listenAddress.safeParse(demoListen);
  if (!parsed.success) throw new UsageError(`--demo-listen: ${parsed.error.issues[0]?.message}`);
  const demo = await startDemoServer({ host: parsed.data.host, port: parsed.data.port });
  try {
    const config = await loadConfig(undefined, { ...overrides, upstream: demo.url });
    const app = await startFromCli(config, undefined);
    const p = app.proxyUrl;
    // Signals are handled before anything is printed: whoever reads the URLs may stop us at once.
    const stopped = untilSignal(app);
    process.stdout.write(
      [
        `demo service  ${demo.url}`,
        `sidecar       ${p}   (admin ${app.adminUrl})`,
        '',
        'Try:',
        `  curl ${p}/api/items/42`,
        `  curl ${p}/feed | wc -c`,
        `  curl -X POST --data-binary @package.json ${p}/echo`,
        `  curl ${p}/slow?ms=300`,
        `  curl -i ${p}/status/503`,
        `  curl ${app.adminUrl}/readyz`,
        `  curl ${app.adminUrl}/metrics`,
        '',
        'Ctrl-C stops both.',
        '',
      ].join('\n'),
    );
    const code = await stopped;
    await demo.close();
    return code;
  } catch (err) {
    await demo.close();
    throw err;
  }
}
