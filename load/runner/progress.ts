/** A progress bar on a terminal, one plain line per second otherwise (CI logs). */
import { SingleBar } from 'cli-progress';
import type { DriveResult } from './http-driver.ts';

export interface Progress {
  update(elapsedSeconds: number, done: DriveResult): void;
  stop(): void;
}

export function createProgress(label: string, totalSeconds: number, quiet: boolean): Progress {
  if (quiet) return { update() {}, stop() {} };
  const line = (elapsed: number, done: DriveResult) => {
    const failed = done.requests.filter((r) => r.failed).length;
    return {
      rps: Math.round(done.requests.length / Math.max(elapsed, 1e-3)),
      requests: done.requests.length,
      failed,
    };
  };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total}s | {requests} req | {rps} req/s | {failed} failed`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(Math.ceil(totalSeconds), 0, { requests: 0, rps: 0, failed: 0 });
    return {
      update: (elapsed, done) =>
        bar.update(Math.min(Math.floor(elapsed), Math.ceil(totalSeconds)), line(elapsed, done)),
      stop: () => {
        bar.update(Math.ceil(totalSeconds));
        bar.stop();
      },
    };
  }
  return {
    update(elapsed, done) {
      const l = line(elapsed, done);
      process.stderr.write(
        `${label} ${elapsed.toFixed(0)}/${totalSeconds}s ${l.requests} req ${l.rps} req/s ${l.failed} failed\n`,
      );
    },
    stop() {},
  };
}
