import type { Pool } from '../db/pool.js';
import { appendJournal } from '../store/journal.js';

/**
 * What the verdict reader keeps in PostgreSQL (migration 009): its cursor in each counterpart's messages feed,
 * so a reader started again (a new worker, new settings) goes on where the last one stopped, and the journal
 * entry for a verdict no running submission could take (an unknown or already closed one).
 */
export interface UndeliverableVerdict {
  verdictId: string;
  submissionId: string;
  messageId: string;
  code: string;
  /** Why the signal did not land: Temporal's answer. */
  reason: string;
}

export function createVerdictStoreActivities({ pool }: { pool: Pool }) {
  return {
    async loadVerdictCursor({ reader }: { reader: string }): Promise<string | undefined> {
      const { rows } = await pool.query<{ cursor: string }>('SELECT cursor FROM verdict_cursors WHERE reader = $1', [
        reader,
      ]);
      return rows[0]?.cursor;
    },

    async saveVerdictCursor({
      reader,
      counterpart,
      cursor,
      delivered,
    }: {
      reader: string;
      counterpart: 'AFM';
      cursor: string;
      delivered: number;
    }): Promise<void> {
      await pool.query(
        `INSERT INTO verdict_cursors (reader, counterpart, cursor, delivered) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reader) DO UPDATE SET cursor = EXCLUDED.cursor, delivered = verdict_cursors.delivered + EXCLUDED.delivered, updated_at = now()`,
        [reader, counterpart, cursor, delivered],
      );
    },

    /** Journals each verdict that reached no waiting submission; once per verdict id, however often it is read. */
    async journalUndeliverableVerdicts({
      counterpart,
      verdicts,
      atMs,
    }: {
      counterpart: 'AFM';
      verdicts: UndeliverableVerdict[];
      atMs: number;
    }): Promise<void> {
      await appendJournal(
        pool,
        verdicts.map((v) => ({
          startedAt: atMs,
          event: 'verdict.undeliverable',
          actor: 'system',
          recordId: v.submissionId,
          result: 'REFUSED',
          details: { counterpart, channel: 'FETCH', ...v },
          dedupeKey: `verdict:${counterpart}:${v.verdictId}:undeliverable`,
        })),
      );
    },
  };
}

export type VerdictStoreActivities = ReturnType<typeof createVerdictStoreActivities>;
