/**
 * Admin endpoints of the telemetry concern: `/metrics` (OpenMetrics with
 * exemplars for clients that ask for it, as Prometheus does; the classic text
 * format otherwise) and `/debug/traces` (the recent-trace buffer; one request
 * by `?trace_id=` or `?request_id=`).
 */
import client from 'prom-client';
import type { ScrapeLog } from '../telemetry/destinations.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { RecentTraces } from '../telemetry/recent-traces.ts';
import { type AdminHandler, sendJson } from './server.ts';

export function telemetryAdminRoutes(
  metrics: Metrics,
  recent: RecentTraces | undefined,
  scrapes?: ScrapeLog,
): Map<string, AdminHandler> {
  const registry = metrics.registry;
  // The registry renders one format at a time: scrapes take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const render = (openMetrics: boolean): Promise<{ body: string; type: string }> => {
    const next = queue.then(async () => {
      const type = openMetrics
        ? client.Registry.OPENMETRICS_CONTENT_TYPE
        : client.Registry.PROMETHEUS_CONTENT_TYPE;
      registry.setContentType(type);
      try {
        return { body: await registry.metrics(), type };
      } finally {
        registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
      }
    });
    queue = next.catch(() => {});
    return next;
  };

  return new Map<string, AdminHandler>([
    [
      '/metrics',
      async (req, res) => {
        const accept = req.headers.accept ?? '';
        const { body, type } = await render(accept.includes('application/openmetrics-text'));
        if (scrapes !== undefined) {
          scrapes.count++;
          scrapes.lastAt = Date.now();
        }
        res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
    ],
    [
      '/debug/traces',
      (req, res) => {
        if (recent === undefined) {
          sendJson(res, 200, { enabled: false, recent: [], slowest: [], failed: [] });
          return;
        }
        const params = new URL(req.url ?? '/', 'http://admin').searchParams;
        const traceId = params.get('trace_id') ?? undefined;
        const requestId = params.get('request_id') ?? undefined;
        if (traceId !== undefined || requestId !== undefined) {
          const found = recent.find({ traceId, requestId });
          if (found === undefined)
            sendJson(res, 404, {
              error: 'not in the buffer',
              ...(traceId === undefined ? {} : { trace_id: traceId }),
              ...(requestId === undefined ? {} : { request_id: requestId }),
            });
          else sendJson(res, 200, found);
          return;
        }
        sendJson(res, 200, { enabled: true, ...recent.snapshot() });
      },
    ],
  ]);
}
