#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// Sidelight runs its TypeScript sources directly (Node >= 22.19 strips types).
// The shebang carries the sidecar's process settings: a capped V8 young
// generation and a glibc malloc that returns memory (src/cli/sidecar-settings.ts
// says why; a unit test keeps the two equal).
//
// This file is plain JavaScript on purpose: it must load on any Node, so that
// an older one (Debian's and Ubuntu's system Node is 20) hears which Node to
// use instead of failing on the first `.ts` import with
// ERR_UNKNOWN_FILE_EXTENSION (issue #9).
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(engines.node);
const have = process.versions.node.split('.').map(Number);
const want = wanted === null ? have : wanted.slice(1).map((part) => Number(part ?? 0));
// [major, minor, patch] compared left to right: the first part that differs decides.
const tooOld = (have[0] - want[0] || have[1] - want[1] || have[2] - want[2]) < 0;
if (tooOld) {
  process.stderr.write(
    `sidelight: needs Node.js ${engines.node} (it runs its TypeScript sources directly); ` +
      `this is Node.js ${process.version} (${process.execPath}).\n` +
      '  In a clone of the repository, `npm ci` installs the pinned Node 24 (the `node` devDependency);\n' +
      '  `npm start`, `npm run demo` and `npx sidelight` then use it.\n' +
      '  Elsewhere, install a current Node, e.g. `nvm install 24` (https://github.com/nvm-sh/nvm).\n',
  );
  process.exitCode = 1;
} else {
  await import('../src/main.ts');
}
