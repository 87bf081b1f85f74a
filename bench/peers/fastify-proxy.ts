/**
 * @fastify/http-proxy (undici transport via @fastify/reply-from) as a peer.
 *
 *   node bench/peers/fastify-proxy.ts --upstream http://127.0.0.1:8081 --listen 127.0.0.1:8080
 */
import { parseArgs } from 'node:util';
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const { values } = parseArgs({
  options: { upstream: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:8080' } },
});
if (!values.upstream) throw new Error('--upstream URL is required');
const at = values.listen.lastIndexOf(':');

const app = Fastify({ logger: false, keepAliveTimeout: 75_000 });
await app.register(proxy, { upstream: values.upstream, undici: { connections: 128, pipelining: 1 } });
const address = await app.listen({
  host: values.listen.slice(0, at),
  port: Number(values.listen.slice(at + 1)),
});
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => void app.close().finally(() => process.exit(0)));
