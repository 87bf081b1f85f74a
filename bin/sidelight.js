#!/usr/bin/env node
// Sidelight runs its TypeScript sources directly (Node >= 22.19 strips types).
await import('../src/main.ts');
