/**
 * http-proxy (node-http-proxy) with a keep-alive agent as a peer.
 *
 *   node bench/peers/node-http-proxy.ts --upstream http://127.0.0.1:8081 --listen 127.0.0.1:8080
 */
import { Agent, createServer } from 'node:http';
import { parseArgs } from 'node:util';
import httpProxy from 'http-proxy';

const { values } = parseArgs({
  options: { upstream: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:8080' } },
});
if (!values.upstream) throw new Error('--upstream URL is required');
const at = values.listen.lastIndexOf(':');
const host = values.listen.slice(0, at);
const port = Number(values.listen.slice(at + 1));

const proxy = httpProxy.createProxyServer({
  target: values.upstream,
  agent: new Agent({ keepAlive: true, maxSockets: 128 }),
  xfwd: false,
});
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502, { 'content-length': '0' }).end();
  else res.destroy();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 75_000;
server.listen(port, host, () => process.stdout.write(`listening http://${host}:${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
