/**
 * An in-process sidecar on 127.0.0.1:0 in front of a given upstream, for
 * integration tests. Logs are silenced unless a `log` is given; `close()`
 * drains briefly.
 */
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load.ts';
import type { RequestContext } from '../../src/pipeline/context.ts';
import type { RequestObserver } from '../../src/pipeline/pipeline.ts';
import { type Sidelight, type SidelightOptions, startSidelight } from '../../src/sidelight.ts';

export interface TestSidecar {
  readonly app: Sidelight;
  readonly url: string;
  readonly adminUrl: string;
  close(): Promise<void>;
}

/** Starts a sidecar in front of `upstreamUrl`; `overrides` are merged over the base config. */
export async function startSidecar(
  upstreamUrl: string,
  overrides: Record<string, unknown> = {},
  options: SidelightOptions = {},
): Promise<TestSidecar> {
  const config = validateConfig(
    {
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0' },
      upstream: { endpoints: [{ url: upstreamUrl }] },
      ...overrides,
    },
    '<test>',
  );
  const app = await startSidelight(config, { ...options, log: options.log ?? pino({ level: 'silent' }) });
  return {
    app,
    url: app.proxyUrl,
    adminUrl: app.adminUrl,
    close: async () => {
      await app.shutdown(200);
    },
  };
}

/** What the observer saw when a request finished. */
export interface FinishedRequest {
  readonly status: number;
  readonly reason: string | undefined;
  readonly path: string;
}

/**
 * A RequestObserver that records every finished request; `next()` resolves
 * with the next one to finish (or one that already finished and was not taken).
 */
export function recordingObserver(): RequestObserver & {
  readonly finished: FinishedRequest[];
  next(): Promise<FinishedRequest>;
} {
  const finished: FinishedRequest[] = [];
  let taken = 0;
  const waiters: Array<(f: FinishedRequest) => void> = [];
  return {
    finished,
    provision() {},
    retire() {},
    requestStart() {},
    phaseEnd() {},
    attemptStart() {
      return [];
    },
    attemptPoint() {},
    attemptConnected() {},
    attemptEnd() {},
    traceResponse() {
      return undefined;
    },
    requestEnd(ctx: RequestContext) {
      const f = { status: ctx.status, reason: ctx.error?.reason, path: ctx.req.url ?? '' };
      finished.push(f);
      const w = waiters.shift();
      if (w) {
        taken++;
        w(f);
      }
    },
    next() {
      if (taken < finished.length) return Promise.resolve(finished[taken++]!);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
