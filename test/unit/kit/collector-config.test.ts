/**
 * The Collector configs in otel/, checked for what the Collector itself
 * would reject or silently get wrong (no Collector runs here): every
 * component a pipeline names is defined, memory_limiter runs first and batch
 * last, components carry their current (>= 0.154) names, and the
 * tail-sampling variant keeps errors and slow traces.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Section = Record<string, unknown>;
interface CollectorConfig {
  receivers: Section;
  processors: Section;
  exporters: Section;
  extensions?: Section;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  };
}

const FILES = ['otel/collector.yaml', 'otel/collector-tail-sampling.yaml'];
const load = (file: string) =>
  parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')) as CollectorConfig;
/** `type/name` -> `type`. */
const typeOf = (id: string) => id.split('/')[0]!;
/** Names the Collector deprecated in favour of snake_case ones (0.144 / contrib 0.154). */
const DEPRECATED = ['otlp', 'otlphttp', 'prometheusremotewrite', 'logging'];

describe.each(FILES)('%s', (file) => {
  const config = load(file);
  const pipelines = Object.entries(config.service.pipelines);

  it('has a traces, a logs and a metrics pipeline', () => {
    expect(Object.keys(config.service.pipelines).map(typeOf).sort()).toEqual(['logs', 'metrics', 'traces']);
  });

  it.each(pipelines)('pipeline %s names only defined components', (_name, p) => {
    for (const r of p.receivers) expect(config.receivers, `receiver ${r}`).toHaveProperty([r]);
    for (const q of p.processors) expect(config.processors, `processor ${q}`).toHaveProperty([q]);
    for (const e of p.exporters) expect(config.exporters, `exporter ${e}`).toHaveProperty([e]);
    expect(p.receivers.length * p.exporters.length).toBeGreaterThan(0);
  });

  it.each(pipelines)('pipeline %s runs memory_limiter first and batch last', (_name, p) => {
    expect(typeOf(p.processors[0]!)).toBe('memory_limiter');
    expect(typeOf(p.processors.at(-1)!)).toBe('batch');
  });

  it('uses current exporter names and sends each signal to its backend', () => {
    for (const id of Object.keys(config.exporters)) expect(DEPRECATED).not.toContain(typeOf(id));
    const traces = config.service.pipelines.traces!.exporters.map(typeOf);
    const logs = config.service.pipelines.logs!;
    expect(traces).toEqual(['otlp_grpc']);
    expect(logs.exporters.map(typeOf)).toEqual(['otlp_http']);
    const loki = config.exporters[logs.exporters[0]!] as { endpoint: string };
    expect(new URL(loki.endpoint).pathname).toBe('/otlp');
    expect(config.service.pipelines.metrics!.exporters.map(typeOf)).toEqual(['prometheus_remote_write']);
  });

  it('receives OTLP on gRPC 4317 and HTTP 4318, and defines the extensions it enables', () => {
    const otlp = config.receivers.otlp as {
      protocols: { grpc: { endpoint: string }; http: { endpoint: string } };
    };
    expect(otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(otlp.protocols.http.endpoint).toMatch(/:4318$/);
    for (const ext of config.service.extensions ?? []) expect(config.extensions).toHaveProperty([ext]);
  });
});

describe('otel/collector-tail-sampling.yaml', () => {
  const config = load('otel/collector-tail-sampling.yaml');
  const tail = config.processors.tail_sampling as {
    policies: {
      type: string;
      status_code?: { status_codes: string[] };
      latency?: { threshold_ms: number };
    }[];
  };

  it('samples traces after memory_limiter and before batch', () => {
    expect(config.service.pipelines.traces!.processors).toEqual(['memory_limiter', 'tail_sampling', 'batch']);
  });

  it('keeps every error trace and every slow trace', () => {
    expect(tail.policies.find((p) => p.type === 'status_code')?.status_code?.status_codes).toEqual(['ERROR']);
    expect(tail.policies.find((p) => p.type === 'latency')?.latency?.threshold_ms).toBeGreaterThan(0);
  });

  it('differs from collector.yaml only in tail sampling', () => {
    const plain = load('otel/collector.yaml');
    const { tail_sampling: _t, ...processors } = config.processors;
    expect(processors).toEqual(plain.processors);
    expect(config.exporters).toEqual(plain.exporters);
    expect(config.receivers).toEqual(plain.receivers);
    expect({ ...config.service.pipelines, traces: undefined }).toEqual({
      ...plain.service.pipelines,
      traces: undefined,
    });
  });
});
