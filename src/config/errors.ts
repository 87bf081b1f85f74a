/**
 * A config that cannot be used. Every problem names the file and the field
 * path, so `sidelight validate` and reload logs point at the exact spot.
 * Messages never carry URL credentials, whoever wrote them (a parser's
 * snippet of the offending line, a module's own error): issue 9.
 */
import { redactUserinfo } from '../security/userinfo.ts';

export interface ConfigProblem {
  readonly file: string;
  /** Field path, e.g. ['routes', 2, 'timeouts', 'connect']; [] for the whole file. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `routes[2].timeouts.connect`; keys that are not plain words are quoted: `set["bad name"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]`
        : !PLAIN_KEY.test(p)
          ? `[${JSON.stringify(p)}]`
          : i === 0
            ? p
            : `.${p}`,
    )
    .join('');
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${formatPath(p.path)}: ${p.message}`;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const clean = problems.map((p) => ({ ...p, message: redactUserinfo(p.message) }));
    super(clean.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = clean;
  }
}
