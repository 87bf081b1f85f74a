/**
 * One clock for every span and event time: performance.now() readings turned
 * into epoch HrTime with a fixed origin. (The SDK anchors each span to its own
 * Date.now()/performance.now() offset, so back-dated children could otherwise
 * appear to start before their parent.)
 */
import type { HrTime } from '@opentelemetry/api';

const ORIGIN_MS = performance.timeOrigin;

export function hrTimeOf(perfMs: number): HrTime {
  const epochMs = ORIGIN_MS + perfMs;
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}
