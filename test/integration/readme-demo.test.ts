/**
 * The README's demo block is what `npm run demo` prints (issue #9): the demo
 * runs as a child process on free ports, and its output, with the ports put
 * back to the defaults the README shows, must equal the block.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

it("prints exactly the README's demo block (ports aside)", async () => {
  const block = /`npm run demo` prints[^\n]*\n\n```text\n([\s\S]*?)```/.exec(README)?.[1];
  expect(block, 'the README has a demo block').toBeDefined();
  const child = spawn(
    join(ROOT, 'node_modules/.bin/node'),
    [
      'src/main.ts',
      'demo',
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--demo-listen',
      '127.0.0.1:0',
    ],
    { cwd: ROOT, env: ENV },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  const printed = new Promise<void>((done, fail) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('Ctrl-C stops both.\n')) done();
    });
    child.on('exit', (code) => fail(new Error(`demo exited ${code}: ${out}`)));
  });
  try {
    await printed;
  } finally {
    child.kill('SIGTERM');
  }
  expect(await once(child, 'exit')).toEqual([0, null]);
  const text = out
    .split('\n')
    .filter((l) => !l.startsWith('{')) // log records, not the demo's text
    .join('\n');
  const [, service] = /^demo service +(\S+)$/m.exec(text) ?? [];
  const [, sidecar, admin] = /^sidecar +(\S+) +\(admin (\S+)\)$/m.exec(text) ?? [];
  const asDefaults = text
    .replaceAll(service!, 'http://127.0.0.1:3000')
    .replaceAll(sidecar!, 'http://127.0.0.1:8080')
    .replaceAll(admin!, 'http://127.0.0.1:9901');
  expect(asDefaults).toBe(block);
});
