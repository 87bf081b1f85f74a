/**
 * Config fields the running process reads only at start-up: a reload that
 * changes them is applied everywhere else, and these keep their running value
 * until a restart. The reloader warns about them (reload.ts) and `/config`
 * shows running and pending values side by side (admin/server.ts, issue #9),
 * so nobody reads a pending listen address as the one in use.
 */
import type { Config } from './schema.ts';

/** Dotted path -> the field's value in a config. */
export const RESTART_ONLY: readonly (readonly [path: string, get: (c: Config) => unknown])[] = [
  // The listeners are bound once (sidelight.ts); re-binding would drop connections.
  ['listen', (c) => c.listen],
  ['admin.listen', (c) => c.admin.listen],
  // The trace buffer is sized when the telemetry SDK starts (cli/run.ts).
  ['telemetry.recentTraces', (c) => c.telemetry.recentTraces],
];

export interface PendingField {
  readonly running: unknown;
  readonly pending: unknown;
}

/** The restart-only fields whose value in `next` differs from the one `running` started with. */
export function pendingRestart(running: Config, next: Config): Record<string, PendingField> {
  const out: Record<string, PendingField> = {};
  for (const [path, get] of RESTART_ONLY) {
    const [was, now] = [get(running), get(next)];
    if (JSON.stringify(was) !== JSON.stringify(now)) out[path] = { running: was, pending: now };
  }
  return out;
}

/** `next` with every restart-only field set back to the value `running` started with. */
export function asRunning(running: Config, next: Config): Config {
  const copy = structuredClone(next) as unknown as Record<string, unknown>;
  for (const [path, field] of Object.entries(pendingRestart(running, next))) {
    const keys = path.split('.');
    const last = keys.pop()!;
    let at = copy;
    for (const k of keys) at = at[k] as Record<string, unknown>;
    at[last] = structuredClone(field.running);
  }
  return copy as unknown as Config;
}
