/**
 * Fallback upstream when nginx is not installed: serves /1k and /1m from
 * memory over keep-alive HTTP/1.1. Prints `listening http://...` when ready.
 *
 *   node bench/upstream-node.ts --listen 127.0.0.1:PORT
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string', default: '127.0.0.1:0' } } });
const [host, port] = splitHostPort(values.listen);

const bodies: Record<string, Buffer> = {
  '/1k': Buffer.alloc(1024, 'x'),
  '/1m': Buffer.alloc(1024 * 1024, 'y'),
};

const server = createServer((req, res) => {
  req.resume();
  const body = bodies[req.url ?? ''];
  if (!body) {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 75_000;
server.listen(port, host, () => {
  const addr = server.address();
  const p = typeof addr === 'object' && addr ? addr.port : port;
  process.stdout.write(`listening http://${host}:${p}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

function splitHostPort(v: string): [string, number] {
  const i = v.lastIndexOf(':');
  return [v.slice(0, i).replace(/^\[|\]$/g, ''), Number(v.slice(i + 1))];
}
