/**
 * The definitions type their Sidelight config with `import type` from
 * src/config/schema.ts, which k6 never loads (type imports are erased), but
 * tsc still checks that file under k6's globals, and it names Node's `URL`.
 * Declared here, for the type check only, as much as schema.ts uses; k6
 * scripts must not use it (k6 has no global URL).
 */
declare class URL {
  constructor(input: string, base?: string);
  readonly protocol: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}
