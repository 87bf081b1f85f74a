/**
 * docs/errors.md has one row per reason in src/pipeline/errors.ts, with the
 * same status, retryability and message: the catalogue cannot drift from its
 * documentation.
 */
import { describe, expect, it } from 'vitest';
import { ALL_REASONS, REASONS, type Reason } from '../../../src/pipeline/errors.ts';
import { code, readTable } from './doc-table.ts';

const rows = readTable('errors.md', ['Reason', 'Status', 'Retryable', 'Meaning', 'When it happens']);
const documented = new Map(rows.map((r) => [code(r.Reason!), r]));

describe('docs/errors.md', () => {
  it('documents every reason in the catalogue, and no other', () => {
    expect({ missing: ALL_REASONS.filter((r) => !documented.has(r)) }).toEqual({ missing: [] });
    expect({ extra: [...documented.keys()].filter((r) => !(r in REASONS)) }).toEqual({ extra: [] });
    expect(rows).toHaveLength(documented.size); // no reason documented twice
  });

  it('gives each reason its status, retryability and message as in the code', () => {
    for (const [reason, row] of documented) {
      const spec = REASONS[reason as Reason];
      if (spec === undefined) continue; // reported by the test above
      expect({ reason, status: Number(row.Status) }).toEqual({ reason, status: spec.status });
      expect({ reason, retryable: row.Retryable }).toEqual({
        reason,
        retryable: spec.retryable ? 'yes' : 'no',
      });
      expect({ reason, meaning: row.Meaning }).toEqual({ reason, meaning: spec.message });
      expect(row['When it happens']!.length, `${reason} needs a "when"`).toBeGreaterThan(20);
    }
  });

  it('keeps upstream failures at 502-504 and never uses 500 for them', () => {
    for (const reason of ALL_REASONS.filter((r) => r.startsWith('upstream_'))) {
      expect([502, 503, 504]).toContain(REASONS[reason].status);
    }
  });
});
