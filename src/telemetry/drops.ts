/**
 * Counts telemetry that never left the process: spans and log records dropped
 * because the export queue was full, or lost because an export failed. The
 * SDK's batch processors report this through their self-observability meter;
 * this adapter turns the one counter we care about into plain numbers that
 * `sidelight_telemetry_dropped_total{signal}` exposes. Everything else the
 * meter is asked for is a no-op.
 */
import { type Attributes, createNoopMeter, type Meter, type MeterProvider } from '@opentelemetry/api';

export interface DropCounts {
  traces: number;
  logs: number;
}

const PROCESSED = /^otel\.sdk\.processor\.(span|log)\.processed$/;

export function dropCountingMeterProvider(drops: DropCounts): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = Object.create(noop) as Meter;
  meter.createCounter = ((name: string, options?: object) => {
    const m = PROCESSED.exec(name);
    if (m === null) return noop.createCounter(name, options);
    const signal: keyof DropCounts = m[1] === 'span' ? 'traces' : 'logs';
    return {
      // Only outcomes with an error.type (queue_full, export failure) are drops.
      add(value: number, attributes?: Attributes) {
        if (attributes?.['error.type'] !== undefined) drops[signal] += value;
      },
    };
  }) as Meter['createCounter'];
  return { getMeter: () => meter };
}
