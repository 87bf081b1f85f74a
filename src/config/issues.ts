/**
 * Zod issues -> config problems a person can act on: every problem has the
 * field path it is about, and zod's generic wording is replaced where it says
 * less than it could (`unrecognized key "tmeouts" (did you mean "timeouts"?)`,
 * `required`, the value that was given for an enum). Values are only echoed
 * where they cannot be secrets (enum choices, keys).
 */
import type { z } from 'zod';
import type { ConfigProblem } from './errors.ts';
import { schemaAt, shapeOf } from './schema-walk.ts';

type Path = (string | number)[];

function cleanPath(path: readonly PropertyKey[]): Path {
  return path.filter((p): p is string | number => typeof p !== 'symbol');
}

/** Optimal string alignment distance, small inputs only. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  const message = `unrecognized key ${JSON.stringify(key)}`;
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))) {
    return `${message} (did you mean ${JSON.stringify(best)}?)`;
  }
  return known.length > 0
    ? `${message} (expected one of ${known.map((k) => JSON.stringify(k)).join(', ')})`
    : message;
}

const NOUNS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function typeMessage(issue: z.core.$ZodIssue & { code: 'invalid_type' }): string {
  const generic = /^Invalid input: expected \w+, received (\w+)$/.exec(issue.message);
  // Our own wording (durations, addresses, URLs) stays; zod's gets plainer.
  const wanted = generic === null ? issue.message : `expected ${NOUNS[issue.expected] ?? issue.expected}`;
  if (issue.input === undefined) return generic === null ? `required: ${wanted}` : `required (${wanted})`;
  if (generic === null) return wanted;
  const received = generic[1]!;
  return `${wanted}, not ${issue.expected === 'int' && received === 'number' ? 'a fraction' : (NOUNS[received] ?? received)}`;
}

/** zod's "Too small: expected string to have >=1 characters", said plainly; own messages stay. */
function sizeMessage(issue: z.core.$ZodIssue & { code: 'too_small' | 'too_big' }): string {
  if (!/^Too (small|big): /.test(issue.message)) return issue.message;
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  switch (issue.origin) {
    case 'string':
      if (small && bound === 1) return 'must not be empty';
      return `must be ${small ? 'at least' : 'at most'} ${unit(bound, 'character')}`;
    case 'array':
      return `must have ${small ? 'at least' : 'at most'} ${unit(bound, 'item')}`;
    default:
      return `must be ${op} ${bound}`;
  }
}

function fromIssue(issue: z.core.$ZodIssue, file: string, root: z.core.$ZodType): ConfigProblem[] {
  const path = cleanPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const shape = shapeOf(schemaAt(root, path) ?? root);
      const known = Object.keys(shape ?? {});
      return issue.keys.map((key) => ({
        file,
        path: [...path, key],
        message: unknownKeyMessage(key, known),
      }));
    }
    case 'invalid_type':
      return [{ file, path, message: typeMessage(issue) }];
    case 'too_small':
    case 'too_big':
      return [{ file, path, message: sizeMessage(issue) }];
    case 'invalid_key': {
      const key = path.at(-1);
      const inner = issue.issues[0]?.message ?? issue.message;
      return [{ file, path, message: `invalid key ${JSON.stringify(key)}: ${inner}` }];
    }
    case 'invalid_value': {
      const choices = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const given = 'input' in issue ? `, not ${JSON.stringify(issue.input)}` : '';
      return [{ file, path, message: `expected one of ${choices}${given}` }];
    }
    case 'invalid_union': {
      // Our unions set their own message; otherwise say what each branch wanted.
      if (issue.message !== 'Invalid input') return [{ file, path, message: issue.message }];
      const wanted = issue.errors.map((branch) => branch[0]?.message.replace(/^Invalid input: /, '') ?? '?');
      return [{ file, path, message: `none of the allowed forms matched: ${wanted.join('; or ')}` }];
    }
    default:
      return [{ file, path, message: issue.message }];
  }
}

/** Every issue as one or more problems, in the schema's field order. */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  root: z.core.$ZodType,
): ConfigProblem[] {
  return issues.flatMap((issue) => fromIssue(issue, file, root));
}
