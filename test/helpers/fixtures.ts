/**
 * Per-file fixtures the integration tests share: the demo upstream (started
 * once per file) and a cleanup list drained after each test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDemoServer } from '../../src/demo/server.ts';
import { startTelemetrySdk, type TelemetrySdk } from '../../src/telemetry/sdk.ts';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.ts';

type Demo = Awaited<ReturnType<typeof startDemoServer>>;

/** Starts the demo service before the file's tests and stops it after; read `.url` inside tests. */
export function useDemoUpstream(): { readonly url: string } {
  let demo: Demo | undefined;
  beforeAll(async () => {
    demo = await startDemoServer({ port: 0 });
  });
  afterAll(async () => {
    await demo?.close();
  });
  return {
    get url() {
      if (demo === undefined) throw new Error('the demo upstream starts in beforeAll');
      return demo.url;
    },
  };
}

/** Functions pushed here run after each test, last pushed first. */
export function useCleanup(): Array<() => Promise<void>> {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return cleanup;
}

/**
 * A real OTLP/HTTP receiver and the telemetry SDK exporting to it (the
 * exporters read process.env, the SDK decides what to export from `env`),
 * for the file's tests; both stopped after them.
 */
export function useOtlpSdk(options: { recentTraces: number }): {
  readonly rx: OtlpReceiver;
  readonly sdk: TelemetrySdk;
} {
  let rx: OtlpReceiver | undefined;
  let sdk: TelemetrySdk | undefined;
  const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  beforeAll(async () => {
    rx = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = rx.url;
    sdk = startTelemetrySdk({
      recentTraces: options.recentTraces,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
      batch: { scheduledDelayMillis: 50 },
    });
  });
  afterAll(async () => {
    await sdk?.shutdown();
    if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    await rx?.close();
  });
  return {
    get rx() {
      if (rx === undefined) throw new Error('the OTLP receiver starts in beforeAll');
      return rx;
    },
    get sdk() {
      if (sdk === undefined) throw new Error('the SDK starts in beforeAll');
      return sdk;
    },
  };
}
