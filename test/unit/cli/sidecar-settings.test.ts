/**
 * The sidecar's process settings act before any code runs, so they are
 * repeated in each launcher (the Dockerfile too); these tests keep every launcher equal to
 * src/cli/sidecar-settings.ts, and prove the shebang really starts Sidelight
 * with them.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SIDECAR_ENV, SIDECAR_NODE_FLAGS, sidecarEnvPrefix } from '../../../src/cli/sidecar-settings.ts';
import { envOf, execForm, only, parseDockerfile } from '../../helpers/dockerfile.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const expected = `${sidecarEnvPrefix()} node ${SIDECAR_NODE_FLAGS.join(' ')}`;

describe('sidecar process settings', () => {
  it('bin/sidelight.js starts node with them', () => {
    const shebang = readFileSync(join(ROOT, 'bin/sidelight.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S ${expected}`);
  });

  it('npm start and npm run demo start node with them', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe(`${expected} src/main.ts`);
    expect(scripts.demo).toBe(`${expected} src/main.ts demo`);
  });

  it('the Dockerfile starts node with them (ENV and the exec-form ENTRYPOINT)', () => {
    const image = parseDockerfile(join(ROOT, 'Dockerfile')).at(-1)!;
    const env = envOf(image);
    for (const [k, v] of Object.entries(SIDECAR_ENV)) expect(env[k], k).toBe(v);
    const [node, ...rest] = execForm(only(image, 'ENTRYPOINT').args);
    expect(node).toBe('node');
    expect(rest.slice(0, SIDECAR_NODE_FLAGS.length)).toEqual([...SIDECAR_NODE_FLAGS]);
  });

  it('the shebang is one the kernel and env(1) really run: the process sees the settings', async () => {
    // The same first line on a probe script, executed directly (the kernel hands
    // everything after /usr/bin/env to env as one argument; -S splits it), with
    // Node 24 first on PATH as under npm.
    const shebang = readFileSync(join(ROOT, 'bin/sidelight.js'), 'utf8').split('\n')[0]!;
    const keys = Object.keys(SIDECAR_ENV);
    const dir = mkdtempSync(join(tmpdir(), 'sidelight-shebang-'));
    const probe = join(dir, 'probe.js');
    writeFileSync(
      probe,
      `${shebang}\nconsole.log(JSON.stringify({ env: { ${keys.map((k) => `${k}: process.env.${k}`).join(', ')} }, flags: process.execArgv }));\n`,
    );
    chmodSync(probe, 0o755);
    try {
      const { stdout } = await promisify(execFile)(probe, [], {
        env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      });
      const seen = JSON.parse(stdout) as { env: Record<string, string>; flags: string[] };
      expect(seen.env).toEqual(SIDECAR_ENV);
      expect(seen.flags).toEqual([...SIDECAR_NODE_FLAGS]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
