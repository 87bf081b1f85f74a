/**
 * `npm run dashboards`: writes dashboards/json/*.json from the TypeScript
 * builders in dashboards/src/. Commit the result; a unit test fails when the
 * JSON and the builders differ.
 */
import { writeFile } from 'node:fs/promises';
import { DASHBOARDS, render } from './src/index.ts';

const dir = new URL('./json/', import.meta.url);
for (const { file, build } of DASHBOARDS) {
  await writeFile(new URL(file, dir), render(build()));
  process.stdout.write(`wrote dashboards/json/${file}\n`);
}
