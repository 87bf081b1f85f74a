/**
 * The built-in demo upstream: a small plain `node:http` service with
 * deterministic endpoints for trying out the proxy, for load tests and for the
 * proxy's own integration tests (slow bodies, resets, big streams, echo).
 * Dispatch is a hand-written method + path table; there is no framework.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as h from './handlers.ts';

interface Route {
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Handlers by method; `*` answers any method. A GET handler also answers HEAD. */
  readonly methods: Readonly<Record<string, h.Handler>>;
}

/** `:name` matches one path segment, possibly empty (so a missing id gets a 400, not a 404). */
function createRoutes(): Route[] {
  const table: Array<[path: string, methods: Record<string, h.Handler>]> = [
    ['/healthz', { GET: h.healthz }],
    ['/api/items', { GET: h.item }],
    ['/api/items/:id', { GET: h.item }],
    ['/api/orders', { POST: h.createOrdersHandler() }],
    ['/feed', { GET: h.feed }],
    ['/big', { GET: h.big }],
    ['/echo', { POST: h.echo }],
    ['/headers', { '*': h.headers }],
    ['/slow', { GET: h.slow }],
    ['/slow-body', { GET: h.slowBody }],
    ['/status/:code', { GET: h.status }],
    ['/users/:id', { GET: h.user }],
    ['/users/:id/orders', { GET: h.userOrders }],
    ['/users/:id/coupons', { GET: h.userCoupons }],
    ['/users/:id/points', { GET: h.userPoints }],
    ['/webhooks/payments', { POST: h.paymentsWebhook }],
    ['/coupons/:code/redeem', { POST: h.redeemCoupon }],
    ['/reset-mid-body', { GET: h.resetMidBody }],
  ];
  return table.map(([path, methods]) => {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]*)';
    });
    return { pattern: new RegExp(`^${source}$`), names, methods };
  });
}

function allowHeader(methods: Readonly<Record<string, h.Handler>>): string {
  const list = Object.keys(methods);
  if (list.includes('GET')) list.push('HEAD');
  return list.join(', ');
}

function dispatch(
  routes: readonly Route[],
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void | Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const method = req.method ?? 'GET';
    const handler =
      route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined) ?? route.methods['*'];
    if (handler === undefined) {
      return h.sendJson(res, 405, { error: 'method_not_allowed' }, { allow: allowHeader(route.methods) });
    }
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? '');
      });
    } catch {
      return h.badRequest(res, 'malformed percent-encoding in path');
    }
    return handler({ req, res, params, query });
  }
  h.sendJson(res, 404, { error: 'not_found' });
}

function failed(res: http.ServerResponse): void {
  if (res.destroyed) return; // e.g. the client went away while its body was being read
  if (res.headersSent) res.destroy();
  else h.sendJson(res, 500, { error: 'internal_error' });
}

export function createDemoServer(): http.Server {
  const routes = createRoutes();
  return http.createServer((req, res) => {
    try {
      const done = dispatch(routes, req, res);
      if (done instanceof Promise) done.catch(() => failed(res));
    } catch {
      failed(res);
    }
  });
}

export async function startDemoServer(
  opts: { host?: string; port?: number } = {},
): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const server = createDemoServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // idle keep-alive (and in-flight) sockets would hold close() open
      }),
  };
}
