/**
 * How a Sidelight process is started: the V8 flags and the glibc malloc
 * settings of a sidecar. They act before any of our code runs, so they live in
 * the launchers (`bin/sidelight.js`'s shebang, `npm start`, `npm run demo`),
 * which a unit test keeps equal to these constants; the benchmark harness
 * starts its Sidelight contenders with them too. Measured on the benchmark
 * machine (README, "Performance"):
 *
 * - `--max-semi-space-size=8` caps V8's young generation at 8 MiB per
 *   semi-space. A sidecar's garbage is short-lived request state; the default
 *   let RSS grow by ~70 MiB under load for no throughput gain.
 * - `MALLOC_ARENA_MAX=2`: glibc gives every thread that allocates (V8's GC
 *   helpers, libuv's pool) an arena of its own, up to 8 per core, and each keeps
 *   the memory it once held. Two are plenty for a process that allocates on one
 *   thread.
 *   RSS idle / after the benchmark's load: 136 / 239 MiB -> 129 / 222 MiB.
 *
 * Tried and left out: `MALLOC_TRIM_THRESHOLD_=131072` brought RSS after load
 * to ~150-160 MiB in a standalone test, but it also pins glibc's mmap threshold
 * at 128 KiB, so large buffers are mmapped and unmapped per use. The full
 * benchmark could not confirm either effect through this VM's noise (RSS after
 * load 222 MiB with it, 199 without; 1 MiB streaming 0.67x with it, 0.71x
 * without), so the known cost won over an unproven gain.
 */
export const SIDECAR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export const SIDECAR_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
};

/** `NAME=value ...` as a shell or `env -S` prefix. */
export function sidecarEnvPrefix(): string {
  return Object.entries(SIDECAR_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
