#!/usr/bin/env -S node --max-semi-space-size=8
// Sidelight runs its TypeScript sources directly (Node >= 22.19 strips types).
// --max-semi-space-size=8 caps V8's young generation: a sidecar's garbage is
// short-lived request state, and the default lets RSS grow by ~70 MiB under
// load for no throughput gain (README, "Performance").
await import('../src/main.ts');
