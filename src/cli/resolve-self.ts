/**
 * Lets a config module anywhere on disk `import { defineConfig } from 'sidelight'`.
 *
 * Node resolves a bare specifier from the importing file's directory up, so a
 * `sidelight.config.ts` in /etc/sidelight or a temp directory finds no
 * `node_modules/sidelight` and fails with "Cannot find package 'sidelight'"
 * (issue #9). The CLI is the package that will validate the config, so when
 * the normal lookup finds nothing, `sidelight` means the running one. A
 * project that installs its own copy keeps getting that copy.
 *
 * `registerHooks` runs in-thread and synchronously (Node >= 22.15), so the
 * hook is in place before the config module is imported, with no loader
 * worker to start.
 */
import { registerHooks } from 'node:module';

const SELF = 'sidelight';
const ENTRY = new URL('../index.ts', import.meta.url).href;

let installed = false;

export function resolveSelfForConfigModules(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== SELF) return nextResolve(specifier, context);
      try {
        return nextResolve(specifier, context);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
        return { url: ENTRY, shortCircuit: true };
      }
    },
  });
}
