/**
 * The telemetry a user would otherwise bolt onto the bare reference (issue
 * #10), part 2: pino-http logs every request (JSON on stdout) and a
 * prom-client histogram observes every request's duration by method, route
 * (the path, as such setups do without a router) and status. Traces come from
 * naive-telemetry-preload.ts (`--import`).
 *
 *   node --import ./bench/reference/naive-telemetry-preload.ts bench/reference/naive-telemetry-proxy.ts \
 *     --upstream http://127.0.0.1:8081 --listen 127.0.0.1:8080
 */
import { pinoHttp } from 'pino-http';
import client from 'prom-client';
import { serveBare } from './bare-handler.ts';

const duration = new client.Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP server requests.',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
});
const logger = pinoHttp();

serveBare((handler) => (req, res) => {
  logger(req, res);
  const end = duration.startTimer();
  res.once('finish', () =>
    end({
      http_request_method: req.method ?? '',
      http_route: req.url ?? '',
      http_response_status_code: res.statusCode,
    }),
  );
  handler(req, res);
});
