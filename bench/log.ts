/** Progress output of the benchmark harness: stderr, since stdout carries only the report. */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
