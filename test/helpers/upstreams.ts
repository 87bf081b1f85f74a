/**
 * Ad-hoc upstreams for edge cases the demo service cannot produce, and a raw
 * socket client for requests a client library would normalise. All on
 * 127.0.0.1, port 0.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** Sockets accepted so far. */
  readonly sockets: net.Socket[];
  close(): Promise<void>;
}

async function listenOn(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

function wrap(server: net.Server, port: number, sockets: net.Socket[]): TestServer {
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server instanceof http.Server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function rawTcp(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  return wrap(server, await listenOn(server), sockets);
}

/** Accepts connections and never answers (reads and discards the request). */
export function blackholeUpstream(): Promise<TestServer> {
  return rawTcp((socket) => socket.resume());
}

/** Accepts a connection and resets it at once (RST, not FIN). */
export function resettingUpstream(): Promise<TestServer> {
  return rawTcp((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });
}

/** Sends a 200 head with a large content-length and one small chunk, then stalls forever. */
export function stallingUpstream(): Promise<TestServer> {
  return rawTcp((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nhello');
      socket.resume();
    });
  });
}

/** A port nothing listens on (bound on 0, then closed): connections are refused. */
export async function refusedPort(): Promise<string> {
  const server = net.createServer();
  const port = await listenOn(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A plain node:http upstream with a custom handler. */
export async function httpUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const server = http.createServer(handler);
  server.on('connection', (s: net.Socket) => sockets.push(s));
  return wrap(server, await listenOn(server), sockets);
}

/** An upstream that answers every request with the given raw response bytes, then closes. */
export function rawResponseUpstream(response: string): Promise<TestServer> {
  return rawTcp((socket) => {
    socket.once('data', () => socket.end(response));
  });
}

export interface RawResponse {
  /** Everything received until the server closed the connection. */
  readonly raw: string;
  readonly status: number;
  /** Header lines as [lower-case name, value], in order. */
  readonly headers: Array<[string, string]>;
  readonly body: string;
  header(name: string): string | undefined;
}

export function parseRaw(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = lines.map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
  });
  return {
    raw,
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: split === -1 ? '' : raw.slice(split + 4),
    header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1],
  };
}

/** Opens a raw TCP connection to an `http://host:port` URL. */
export async function connectRaw(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  return socket;
}

/** Collects what a socket receives until it closes (resolves, never rejects). */
export function readUntilClose(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      data += c;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(data));
  });
}

/** Sends `text` verbatim on a fresh connection and returns the parsed response (read until close). */
export async function rawRequest(url: string, text: string): Promise<RawResponse> {
  const socket = await connectRaw(url);
  const done = readUntilClose(socket);
  socket.write(text);
  return parseRaw(await done);
}

/**
 * A listener whose accept queue is full, so a new connection's SYN is dropped
 * and connect() hangs: a connect timeout on loopback. The listener lives in a
 * child process whose event loop is blocked (it never accepts); the queue
 * (backlog 1) is then filled from here until a connect no longer completes.
 */
export async function unacceptingUpstream(): Promise<TestServer> {
  const { spawn } = await import('node:child_process');
  const script = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  const sockets: net.Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    sockets.push(socket);
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise<boolean>((r) => setTimeout(r, 300, false)),
    ]);
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}
