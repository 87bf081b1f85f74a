/**
 * The system under test when no `--target` is given: the demo service and a
 * real Sidelight process (src/main.ts with the scenario's config file, the
 * sidecar's launch settings), exporting to a local OTLP sink so sampled spans
 * cost what they cost in production. Reuses the benchmark's process plumbing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, freePort, spawnTracked, waitForPort } from '../../bench/procs.ts';
import { SIDECAR_ENV, SIDECAR_NODE_FLAGS } from '../../src/cli/sidecar-settings.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const DEMO = fileURLToPath(new URL('./demo-child.ts', import.meta.url));
const OTLP_SINK = fileURLToPath(new URL('../../bench/otlp-sink.ts', import.meta.url));

export interface Demo {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const port = await freePort();
  const child = spawnTracked('demo', process.execPath, [DEMO, '--port', String(port)]);
  await waitForPort('127.0.0.1', port, 30_000, child);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stop() };
}

export interface SidelightProcess {
  readonly url: string;
  readonly adminUrl: string;
  readonly configFile: string;
  readonly config: ConfigInput;
  readonly child: Child;
  stop(): Promise<void>;
}

/** The scenario's config with this run's listen addresses and upstream. */
export function runConfig(base: ConfigInput, upstream: string, port: number, adminPort: number): ConfigInput {
  return {
    ...base,
    listen: `127.0.0.1:${port}`,
    admin: { listen: `127.0.0.1:${adminPort}` },
    upstream: { ...base.upstream, endpoints: [{ url: upstream }] },
  };
}

/** The benchmark's OTLP/HTTP sink (accepts and drops), in its own process. */
export async function startOtlpSink(): Promise<Demo> {
  const port = await freePort();
  const child = spawnTracked('otlp-sink', process.execPath, [OTLP_SINK, '--listen', `127.0.0.1:${port}`]);
  await waitForPort('127.0.0.1', port, 30_000, child);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stop() };
}

export async function startSidelightProcess(
  base: ConfigInput,
  upstream: string,
  otlpUrl: string,
  dir: string,
  name = 'sidelight.json',
): Promise<SidelightProcess> {
  const [port, adminPort] = await Promise.all([freePort(), freePort()]);
  const config = runConfig(base, upstream, port, adminPort);
  const configFile = join(dir, name);
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...SIDECAR_ENV,
    NODE_ENV: 'production',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
  };
  const child = spawnTracked(
    'sidelight',
    process.execPath,
    [...SIDECAR_NODE_FLAGS, MAIN, '--config', configFile],
    {
      env,
      cwd: dir,
    },
  );
  await waitForPort('127.0.0.1', adminPort, 30_000, child);
  await waitForPort('127.0.0.1', port, 30_000, child);
  return {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    configFile,
    config,
    child,
    stop: () => child.stop(),
  };
}
