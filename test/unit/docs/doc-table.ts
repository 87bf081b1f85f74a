/**
 * Reads a Markdown table out of a doc page, for the tests that keep docs/ in
 * sync with the code: the table whose header row has exactly `columns`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function docPath(name: string): string {
  return path.join(import.meta.dirname, '../../../docs', name);
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Rows of the table with this exact header, as records keyed by column name. */
export function readTable(file: string, columns: readonly string[]): Record<string, string>[] {
  const lines = readFileSync(docPath(file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith('|') && cells(l).join('|') === columns.join('|'));
  if (start === -1) throw new Error(`docs/${file}: no table with columns ${columns.join(', ')}`);
  if (!/^\|(\s*:?-+:?\s*\|)+$/.test(lines[start + 1]?.trim() ?? '')) {
    throw new Error(`docs/${file}: the table header is not followed by a separator row`);
  }
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim().startsWith('|')) break;
    const values = cells(line);
    if (values.length !== columns.length)
      throw new Error(`docs/${file}: row has ${values.length} cells: ${line}`);
    rows.push(Object.fromEntries(columns.map((c, i) => [c, values[i]!])));
  }
  return rows;
}

/** `name` from a cell written as `` `name` ``; throws on anything else. */
export function code(cell: string): string {
  const m = /^`([^`]+)`$/.exec(cell);
  if (m === null) throw new Error(`expected a single code span, got: ${cell}`);
  return m[1]!;
}

/** Names from a cell written as `` `a`, `b` `` (or `—` for none). */
export function codeList(cell: string): string[] {
  if (cell === '—' || cell === '-' || cell === '') return [];
  return cell.split(',').map((c) => code(c.trim()));
}
