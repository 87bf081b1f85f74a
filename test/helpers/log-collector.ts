/**
 * A pino destination that keeps every record (what would go to stdout) and
 * lets a test wait for a record as it is written: an explicit event, never a
 * sleep.
 */
import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown>;

export interface LogCollector extends DestinationStream {
  readonly lines: LogLine[];
  /** Resolves with the first record (already written or to come) that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean, what?: string, timeoutMs?: number): Promise<LogLine>;
}

export function logCollector(): LogCollector {
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  return {
    lines,
    write(s: string) {
      const line = JSON.parse(s) as LogLine;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.match(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    },
    waitFor(match, what = 'log record', timeoutMs = 10_000) {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

/** The access record of one request. */
export const isAccessOf =
  (requestId: string) =>
  (l: LogLine): boolean =>
    l.msg === 'access' && l.request_id === requestId;
