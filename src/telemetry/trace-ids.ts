/**
 * Trace and span ids, decided by Sidelight when a request is sampled (or
 * not), before any SDK span exists: the CLIENT span's id goes upstream in
 * `traceparent`, the SERVER span's into `traceresponse`, exemplars and log
 * records, all while the request runs. The SDK span is made only when a
 * sampled request ends (materialise.ts); `PRESET_IDS` is the SDK's id
 * generator and hands it the ids already chosen.
 *
 * Ids come from a pool of crypto-random bytes, hex-encoded natively: cheaper
 * per id than the SDK's Math.random loop, and never all zero (W3C §3.2.2.3).
 */
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;

function hex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL.length) {
      randomFillSync(POOL);
      offset = 0;
    }
    const id = POOL.toString('hex', offset, offset + bytes);
    offset += bytes;
    // All-zero ids are invalid; the chance is 2^-64 at worst, but it must not escape.
    if (id.charCodeAt(0) !== 48 || /[^0]/.test(id)) return id;
  }
}

export function newTraceId(): string {
  return hex(16);
}

export function newSpanId(): string {
  return hex(8);
}

/**
 * The SDK's id generator: returns the preset id when one is set (a span being
 * materialised), a fresh random one otherwise (spans from other code).
 */
export class PresetIdGenerator implements IdGenerator {
  #traceId: string | undefined;
  #spanId: string | undefined;

  /** The ids the next `startSpan` takes (its trace id only if it has no valid parent). */
  preset(traceId: string, spanId: string): void {
    this.#traceId = traceId;
    this.#spanId = spanId;
  }

  generateTraceId(): string {
    const id = this.#traceId;
    this.#traceId = undefined;
    return id ?? newTraceId();
  }

  generateSpanId(): string {
    const id = this.#spanId;
    this.#spanId = undefined;
    return id ?? newSpanId();
  }

  /** After `startSpan`: a span with a valid parent never asked for the trace id. */
  clear(): void {
    this.#traceId = undefined;
    this.#spanId = undefined;
  }
}

export const PRESET_IDS = new PresetIdGenerator();
