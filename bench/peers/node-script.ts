/** Contenders that are a Node script taking `--upstream URL --listen host:port`. */
import { fileURLToPath } from 'node:url';
import { spawnTracked, waitForPort } from '../procs.ts';
import type { Contender, Running, StartOptions } from './types.ts';

export async function startNodeScript(
  name: string,
  script: string,
  { upstream, port, core, wrap }: StartOptions,
  extra: { nodeFlags?: string[]; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Running> {
  const args = [
    ...(extra.nodeFlags ?? []),
    script,
    '--upstream',
    upstream,
    '--listen',
    `127.0.0.1:${port}`,
    ...(extra.args ?? []),
  ];
  const [cmd, argv] = wrapped(wrap, process.execPath, args);
  const child = spawnTracked(name, cmd, argv, {
    core,
    env: { ...process.env, NODE_ENV: 'production', ...extra.env },
  });
  await waitForPort('127.0.0.1', port, wrap?.startTimeoutMs ?? extra.timeoutMs ?? 15_000, child);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.stop(), output: child.output };
}

/** `cmd args` behind the wrap prefix, if any. */
export function wrapped(wrap: StartOptions['wrap'], cmd: string, args: string[]): [string, string[]] {
  if (wrap === undefined || wrap.prefix.length === 0) return [cmd, args];
  return [wrap.prefix[0]!, [...wrap.prefix.slice(1), cmd, ...args]];
}

function nodeScriptContender(name: string, kind: Contender['kind'], relPath: string): Contender {
  const script = fileURLToPath(new URL(relPath, import.meta.url));
  return {
    name,
    kind,
    wrappable: true,
    unavailable: () => undefined,
    start: (opts) => startNodeScript(name, script, opts),
  };
}

export const bareReference = nodeScriptContender('bare-reference', 'reference', '../reference/bare-proxy.ts');
export const fastifyPeer = nodeScriptContender('fastify-http-proxy', 'peer', './fastify-proxy.ts');
export const httpProxyPeer = nodeScriptContender('http-proxy', 'peer', './node-http-proxy.ts');

/**
 * The bare reference plus the telemetry a user would otherwise bolt on: OTel
 * auto-instrumentation of http and undici at 100% exported to the same sink,
 * a prom-client histogram and pino-http (bench/reference/naive-telemetry-*.ts).
 */
export function naiveTelemetryContender(otlpEndpoint: () => string | undefined): Contender {
  const script = fileURLToPath(new URL('../reference/naive-telemetry-proxy.ts', import.meta.url));
  const preload = fileURLToPath(new URL('../reference/naive-telemetry-preload.ts', import.meta.url));
  return {
    name: 'naive-telemetry',
    kind: 'reference',
    wrappable: true,
    unavailable: () => undefined,
    start: (opts) => {
      const sink = otlpEndpoint();
      return startNodeScript('naive-telemetry', script, opts, {
        nodeFlags: ['--import', preload],
        env: sink === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sink },
      });
    },
  };
}
