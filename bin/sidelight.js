#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// Sidelight runs its TypeScript sources directly (Node >= 22.19 strips types).
// The shebang carries the sidecar's process settings: a capped V8 young
// generation and a glibc malloc that returns memory (src/cli/sidecar-settings.ts
// says why; a unit test keeps the two equal).
await import('../src/main.ts');
