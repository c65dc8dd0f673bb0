import { describe, expect, it, vi } from 'vitest';
import type { Pool } from '../../db/pool.js';
import { audited, setJournalAlert } from '../../console/audit.js';

/** A pool whose journal inserts go to `rows`, or fail while `failing` is set. */
function journalPool() {
  const state = { failing: false, rows: [] as unknown[][] };
  const pool = {
    query: vi.fn(async (_sql: string, args: unknown[]) => {
      if (state.failing) throw new Error('could not extend file "base/16384/2619": No space left on device');
      state.rows.push(args);
      return { rows: [], rowCount: 1 };
    }),
  } as unknown as Pool;
  return { pool, state };
}

const officer = { login: 'aigerim', role: 'officer' } as const;
const entry = { event: 'console.submission-retried', recordId: 'SUB-1' };

describe('journal before acting (issue 14)', () => {
  it('journals a change as requested before it runs, and its outcome after', async () => {
    const { pool, state } = journalPool();
    const seen: number[] = [];
    await audited(pool, officer, 'act', entry, async () => void seen.push(state.rows.length));
    expect(seen).toEqual([1]); // the request entry was written before the action ran
    expect(state.rows.map((r) => r[4])).toEqual(['REQUESTED', 'OK']);
  });

  it('does not act when the request cannot be journalled, and raises an alert', async () => {
    const { pool, state } = journalPool();
    state.failing = true;
    const alerts: Record<string, unknown>[] = [];
    const previous = setJournalAlert((line) => alerts.push(line));
    try {
      const action = vi.fn(async () => 'done');
      await expect(audited(pool, officer, 'act', entry, action)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/not done/),
      });
      expect(action).not.toHaveBeenCalled();
      expect(alerts).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          alert: 'ConsoleJournalWriteFailed',
          phase: 'request',
          event: entry.event,
        }),
      ]);
    } finally {
      setJournalAlert(previous);
    }
  });

  it('raises an alert when the outcome cannot be journalled after the change was made', async () => {
    const { pool, state } = journalPool();
    const alerts: Record<string, unknown>[] = [];
    const previous = setJournalAlert((line) => alerts.push(line));
    try {
      const value = await audited(pool, officer, 'act', entry, async () => ((state.failing = true), 'done'));
      expect(value).toBe('done');
      expect(alerts.map((a) => a.phase)).toEqual(['outcome']);
    } finally {
      setJournalAlert(previous);
    }
  });

  it('journals a read once, after it, and withholds the answer when that fails', async () => {
    const { pool, state } = journalPool();
    await audited(pool, officer, 'read', entry, async () => 'page');
    expect(state.rows.map((r) => r[4])).toEqual(['OK']);
    const previous = setJournalAlert(() => undefined);
    try {
      await expect(
        audited(pool, officer, 'read', entry, async () => ((state.failing = true), 'page')),
      ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      setJournalAlert(previous);
    }
  });
});
