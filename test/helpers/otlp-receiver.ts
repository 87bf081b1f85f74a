/**
 * A real OTLP/HTTP receiver on 127.0.0.1:0 for integration tests. It accepts
 * `POST /v1/traces` and `POST /v1/logs` with OTLP/JSON bodies (what the
 * `-otlp-http` exporters send; gzip accepted) and decodes them into flat span
 * and log records. Protobuf bodies are answered 415: the otlp-transformer
 * package serializes requests but offers no request decoder.
 *
 * It can be switched to answer 503 (`mode = 'unavailable'`), to stall (never
 * answer: `mode = 'stall'`), or closed.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, PlainValue>;
  events: { name: string; timeNs: bigint; attributes: Record<string, PlainValue> }[];
  /** OTLP status codes: UNSET, OK, ERROR. */
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message: string };
  resource: Record<string, PlainValue>;
}

export interface LogRecord {
  traceId: string;
  spanId: string;
  severityText: string;
  severityNumber: number;
  body: PlainValue;
  attributes: Record<string, PlainValue>;
}

export type ReceiverMode = 'ok' | 'unavailable' | 'stall';

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly spans: SpanRecord[];
  readonly logs: LogRecord[];
  /** Every accepted export body as received (OTLP/JSON text): resource, scope and all, for greps. */
  readonly raw: string[];
  /** POSTs received per signal path, whatever was answered. */
  readonly requests: { traces: number; logs: number };
  mode: ReceiverMode;
  /** Resolves with `find()`'s first defined result, checked after every export; rejects after `timeoutMs`. */
  waitFor<T>(find: () => T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Spans of one trace, once at least `count` have arrived. */
  waitForTrace(traceId: string, count: number, timeoutMs?: number): Promise<SpanRecord[]>;
  trace(traceId: string): SpanRecord[];
  clear(): void;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function plain(v: AnyValue | undefined): PlainValue {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue !== undefined) return flatten(v.kvlistValue.values);
  return null;
}

function flatten(kvs: KeyValue[] | undefined): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const kv of kvs ?? []) out[kv.key] = plain(kv.value);
  return out;
}

/** OTLP/JSON ids are hex strings; base64 (the protobuf JSON mapping) is tolerated. */
function hexId(id: string | undefined): string {
  if (id === undefined || id === '') return '';
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS = ['UNSET', 'OK', 'ERROR'] as const;

interface JsonSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: { name?: string; timeUnixNano?: string | number; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface JsonLog {
  traceId?: string;
  spanId?: string;
  severityText?: string;
  severityNumber?: number;
  body?: AnyValue;
  attributes?: KeyValue[];
}
interface TracesRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}
interface LogsRequest {
  resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: JsonLog[] }[] }[];
}

export function decodeTraces(body: TracesRequest): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = flatten(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: hexId(s.parentSpanId),
          name: s.name ?? '',
          kind: KINDS[s.kind ?? 0] ?? 'UNSPECIFIED',
          startNs: BigInt(s.startTimeUnixNano ?? 0),
          endNs: BigInt(s.endTimeUnixNano ?? 0),
          attributes: flatten(s.attributes),
          events: (s.events ?? []).map((e) => ({
            name: e.name ?? '',
            timeNs: BigInt(e.timeUnixNano ?? 0),
            attributes: flatten(e.attributes),
          })),
          status: { code: STATUS[s.status?.code ?? 0] ?? 'UNSET', message: s.status?.message ?? '' },
          resource,
        });
      }
    }
  }
  return out;
}

export function decodeLogs(body: LogsRequest): LogRecord[] {
  const out: LogRecord[] = [];
  for (const rl of body.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        out.push({
          traceId: hexId(r.traceId),
          spanId: hexId(r.spanId),
          severityText: r.severityText ?? '',
          severityNumber: r.severityNumber ?? 0,
          body: plain(r.body),
          attributes: flatten(r.attributes),
        });
      }
    }
  }
  return out;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: SpanRecord[] = [];
  const logs: LogRecord[] = [];
  const raw: string[] = [];
  const requests = { traces: 0, logs: 0 };
  const listeners = new Set<() => void>();
  const sockets = new Set<Socket>();
  const notify = (): void => {
    for (const l of [...listeners]) l();
  };

  const server = http.createServer((req, res) => {
    const signal = req.url === '/v1/traces' ? 'traces' : req.url === '/v1/logs' ? 'logs' : undefined;
    if (req.method !== 'POST' || signal === undefined) {
      res.writeHead(404).end();
      return;
    }
    requests[signal]++;
    if (receiver.mode === 'stall') {
      req.resume(); // read and hold: never answer
      return;
    }
    if (receiver.mode === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      req.resume();
      res.writeHead(415, { 'content-type': 'text/plain' }).end('only OTLP/JSON is decoded here');
      return;
    }
    readBody(req).then(
      (buf) => {
        const text = buf.toString('utf8');
        raw.push(text);
        const body = JSON.parse(text) as TracesRequest & LogsRequest;
        if (signal === 'traces') spans.push(...decodeTraces(body));
        else logs.push(...decodeLogs(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        notify();
      },
      () => res.writeHead(400).end(),
    );
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${port}`,
    spans,
    logs,
    raw,
    requests,
    mode: 'ok',
    waitFor<T>(find: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = (): boolean => {
          const found = find();
          if (found === undefined || found === false) return false;
          listeners.delete(check);
          clearTimeout(timer);
          clearInterval(poll);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          clearInterval(poll);
          reject(new Error(`OTLP receiver: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const poll = setInterval(check, 100);
        listeners.add(check);
        check();
      });
    },
    waitForTrace(traceId, count, timeoutMs) {
      return receiver.waitFor(
        () => {
          const t = receiver.trace(traceId);
          return t.length >= count ? t : undefined;
        },
        timeoutMs,
        `${count} spans of trace ${traceId}`,
      );
    },
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    clear() {
      spans.length = 0;
      logs.length = 0;
      raw.length = 0;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  return receiver;
}
