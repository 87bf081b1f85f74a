/**
 * S11's config churn: every few seconds a new, valid generation of the config
 * file (a route added and a response header changed), written as a temp file
 * renamed over the old one, the way config tools do it (src/config/watch.ts).
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { ConfigInput } from '../../src/config/schema.ts';

type Route = NonNullable<ConfigInput['routes']>[number];

/** Generation `n` of the config: the base routes marked with `x-config-gen: n`, plus a route of its own. */
export function generationConfig(base: ConfigInput, n: number): ConfigInput {
  const routes: Route[] = (base.routes ?? []).map((r) => ({
    ...r,
    headers: { ...r.headers, response: { set: { 'x-config-gen': String(n) } } },
  }));
  routes.push({ name: `gen-${n}`, match: { path: `/generations/${n}`, methods: ['GET'] } });
  return { ...base, routes };
}

export interface Rewriter {
  /** Files written so far. */
  readonly rewrites: number;
  stop(): void;
}

export function startRewriter(file: string, base: ConfigInput, everySeconds: number): Rewriter {
  let rewrites = 0;
  const timer = setInterval(() => {
    const next = generationConfig(base, rewrites + 2); // generation 1 is the file Sidelight started with
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(tmp, file);
    rewrites++;
  }, everySeconds * 1000);
  return {
    get rewrites() {
      return rewrites;
    },
    stop: () => clearInterval(timer),
  };
}

/** `node load/runner/config-rewriter.ts --file sidelight.json [--every 2]`: S11's churn beside k6. */
if (import.meta.main) {
  const { parseArgs } = await import('node:util');
  const { readFileSync } = await import('node:fs');
  const { values } = parseArgs({
    options: { file: { type: 'string' }, every: { type: 'string', default: '2' } },
  });
  if (!values.file) throw new Error('--file is required (the config file Sidelight watches)');
  const base = JSON.parse(readFileSync(values.file, 'utf8')) as ConfigInput;
  const r = startRewriter(values.file, base, Number(values.every));
  process.once('SIGINT', () => {
    r.stop();
    process.stdout.write(`${r.rewrites} rewrites\n`);
  });
}
