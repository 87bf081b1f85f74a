/** The package's public API: typed config helper and the embeddable server. */
import type { ConfigInput } from './config/schema.ts';

export type { Config, ConfigInput, RouteConfig } from './config/schema.ts';
export { type Sidelight, startSidelight } from './sidelight.ts';

/** Identity function that gives a TypeScript config file completion and checking. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
