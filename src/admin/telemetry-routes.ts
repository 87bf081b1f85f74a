/**
 * Admin endpoints of the telemetry concern: `/metrics` (OpenMetrics with
 * exemplars for clients that ask for it, as Prometheus does; the classic text
 * format otherwise) and `/debug/traces` (the recent-trace buffer).
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
        const traceId = new URL(req.url ?? '/', 'http://admin').searchParams.get('trace_id');
        if (traceId !== null) {
          const found = recent.find(traceId);
          if (found === undefined)
            sendJson(res, 404, { error: 'trace not in the buffer', trace_id: traceId });
          else sendJson(res, 200, found);
          return;
        }
        sendJson(res, 200, { enabled: true, ...recent.snapshot() });
      },
    ],
  ]);
}
