/** Starts `otlp-sink.ts` in its own process (pinned to `core` when given); resolves to its base URL. */
import { fileURLToPath } from 'node:url';
import { freePort, spawnTracked, waitForPort } from './procs.ts';

const SCRIPT = fileURLToPath(new URL('./otlp-sink.ts', import.meta.url));

export async function startOtlpSink(core: number | undefined): Promise<string> {
  const port = await freePort();
  const sink = spawnTracked('otlp-sink', process.execPath, [SCRIPT, '--listen', `127.0.0.1:${port}`], {
    core,
  });
  await waitForPort('127.0.0.1', port, 10_000, sink);
  return `http://127.0.0.1:${port}`;
}
