/**
 * The admin listener (separate port, default 127.0.0.1:9901). One table of
 * GET endpoints; later concerns (metrics, traces, the page) add rows.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { asRunning, pendingRestart } from '../config/restart-only.ts';
import type { Config } from '../config/schema.ts';
import type { RuntimeStore } from '../config/store.ts';
import { redactConfig } from './redact.ts';

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * `/config` is what is running: a reloaded field that needs a restart keeps
 * its running value in `config`, and `pendingRestart` lists it with the value
 * the next start will use (config/restart-only.ts). `started` is the config
 * the process started with.
 */
function configView(store: RuntimeStore, started: Config): unknown {
  const current = store.current.config;
  const pending = pendingRestart(started, current);
  return {
    generation: store.generation,
    config: redactConfig(asRunning(started, current)),
    ...(Object.keys(pending).length > 0 ? { pendingRestart: redactConfig(pending) } : {}),
  };
}

/**
 * `detail` adds to `/healthz?verbose` (the exporter state per signal): liveness
 * itself never depends on it, so a collector that is down does not restart the pod.
 */
export function coreAdminRoutes(
  store: RuntimeStore,
  started: Config,
  detail: () => Record<string, unknown> = () => ({}),
): Map<string, AdminHandler> {
  return new Map<string, AdminHandler>([
    [
      '/healthz',
      (req, res) => {
        const verbose = new URL(req.url ?? '/', 'http://admin').searchParams.has('verbose');
        sendJson(res, 200, verbose ? { status: 'ok', ...detail() } : { status: 'ok' });
      },
    ],
    [
      '/readyz',
      (_req, res) => {
        if (store.draining) sendJson(res, 503, { status: 'draining' });
        else sendJson(res, 200, { status: 'ready', generation: store.generation });
      },
    ],
    ['/config', (_req, res) => sendJson(res, 200, configView(store, started))],
  ]);
}

export function createAdminServer(routes: ReadonlyMap<string, AdminHandler>): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const handler = routes.get(path);
    if (!handler) {
      sendJson(res, 404, { error: 'not found', paths: [...routes.keys()] });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
}
