/**
 * The bare reference's request handler: undici Pool.stream pass-through,
 * streaming both ways, minimal hop-by-hop stripping. No routing, no
 * telemetry: the ceiling a Node proxy can reach on this machine. Shared by
 * the bare reference and the naive-telemetry contender, which wraps it.
 */
import { createServer, type IncomingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

// undici throws on some of these and must not forward the others.
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

function strip(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !HOP.has(k)) out[k] = v;
  }
  return out;
}

export function bareHandler(pool: Pool): RequestListener {
  return (req, res) => {
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.stream(
      {
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers: strip(req.headers),
        body: hasBody ? req : null,
        opaque: res,
      },
      ({ statusCode, headers, opaque }) => {
        const out = opaque as ServerResponse;
        out.writeHead(statusCode, strip(headers));
        return out;
      },
      (err) => {
        if (!err) return;
        if (!res.headersSent) res.writeHead(502, { 'content-length': '0' }).end();
        else res.destroy(err);
      },
    );
  };
}

/** `--upstream URL --listen host:port`, a pool to the upstream, and a server running `wrap(bareHandler)`. */
export function serveBare(wrap: (handler: RequestListener) => RequestListener = (h) => h): void {
  const { values } = parseArgs({
    options: { upstream: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:8080' } },
  });
  if (!values.upstream) throw new Error('--upstream URL is required');
  const at = values.listen.lastIndexOf(':');
  const host = values.listen.slice(0, at);
  const port = Number(values.listen.slice(at + 1));
  const pool = new Pool(values.upstream, { connections: 128, pipelining: 1 });
  const server = createServer(wrap(bareHandler(pool)));
  server.keepAliveTimeout = 75_000;
  server.listen(port, host, () => {
    const addr = server.address();
    process.stdout.write(`listening http://${host}:${typeof addr === 'object' && addr ? addr.port : port}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void pool.close().finally(() => process.exit(0));
  });
}
