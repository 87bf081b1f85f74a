// Minimal typings for the parts of `http-proxy` the benchmark peer uses
// (@types/http-proxy is not a dependency).
declare module 'http-proxy' {
  import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
  import type { Socket } from 'node:net';

  interface ServerOptions {
    target?: string;
    agent?: Agent;
    xfwd?: boolean;
    changeOrigin?: boolean;
  }
  interface ProxyServer {
    web(req: IncomingMessage, res: ServerResponse, opts?: ServerOptions): void;
    on(event: 'error', cb: (err: Error, req: IncomingMessage, res: ServerResponse | Socket) => void): this;
    close(): void;
  }
  function createProxyServer(opts: ServerOptions): ProxyServer;
  const httpProxy: { createProxyServer: typeof createProxyServer };
  export default httpProxy;
}
