/**
 * A local OTLP/HTTP sink so telemetry export costs what it costs in production
 * (serialisation + a POST) without a collector. Accepts POST /v1/traces,
 * /v1/logs and /v1/metrics, drains the body, replies 200 `{}`. GET /stats
 * returns request and byte counts per path. Runs in its own process.
 *
 *   node bench/otlp-sink.ts --listen 127.0.0.1:4318
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string', default: '127.0.0.1:4318' } } });
const at = values.listen.lastIndexOf(':');
const host = values.listen.slice(0, at);
const port = Number(values.listen.slice(at + 1));

const stats: Record<string, { requests: number; bytes: number }> = {};
const ACCEPTED = new Set(['/v1/traces', '/v1/logs', '/v1/metrics']);

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && path === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (req.method !== 'POST' || !ACCEPTED.has(path)) {
    req.resume();
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  let entry = stats[path];
  if (!entry) {
    entry = { requests: 0, bytes: 0 };
    stats[path] = entry;
  }
  entry.requests++;
  req.on('data', (chunk: Buffer) => {
    entry.bytes += chunk.length;
  });
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
  });
});
server.keepAliveTimeout = 75_000;
server.listen(port, host, () => {
  const addr = server.address();
  process.stdout.write(`listening http://${host}:${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
