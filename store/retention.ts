import type { Pool } from '../db/pool.js';
import { appendJournal } from './journal.js';

/**
 * The retention job (AFM order No. 9, item 4(7): at least 5 years from 1 January of the year after the bet or
 * operation; National Bank resolution No. 116 §62 for incidents). Every regulated row carries its `retain_until`
 * (migrations 004, 005, 013); the job touches only rows past it, as of `asOf`, in batches, and journals what it did
 * (counts per table, never a row's content). Personal data is removed; money records stay, anonymised, where
 * another record still needs them. What it decides per table:
 *
 *   bets                    ANONYMISE  the IIN is replaced by zeros; the bet (stake, odds, result, bettor_ref) stays,
 *                                      because the ledger, kept for good, and its running-totals check join it;
 *   operations              ANONYMISE  the counterpart's free-text failure message goes (it may name the bettor);
 *                                      ids, amounts and statuses stay next to the ledger postings they explain;
 *   submissions             REMOVE     the record as sent names the bettor by IIN; AFM holds what it accepted;
 *   resubmission_approvals  REMOVE     a correction awaiting or given a second officer's approval (it carries the
 *                                      corrected record, IIN included), with the submission it corrects;
 *   incidents               REMOVE     past §62's five years; each step stays in the journal;
 *   bettor_personal_data    REMOVE     what ЦОИД sent, once neither it nor any bet or operation of the bettor is retained;
 *   bettor_identifications  REMOVE     the same: a bettor back after that is identified again;
 *   reference_photos        REMOVE     the earlier KYC photos;
 *   migration_bettors       REMOVE     the migration source (IIN, phone);
 *   migration_items         REMOVE     a migration's per-bettor outcomes.
 *
 * Kept for good, untouched: journal, ledger_transfers, ledger_pending_transfers, ledger_tombstones (append-only,
 * migrations 004 and 008: their retain_until is recorded, never acted on) and operation_registry (one id is one
 * operation, for good); none holds personal data in clear (bettor_ref is a keyed hash).
 *
 * The guards (migration 013) refuse a deletion before retain_until by the database's own clock, so a run that
 * changes anything may not be dated after that clock; a dry run may be (to see what a date would remove).
 */
export type RetentionAction = 'REMOVE' | 'ANONYMISE';

interface Policy {
  table: string;
  action: RetentionAction;
  /** Rows past retention and not yet handled, `$1` being `asOf`; the table is aliased `t`. */
  due: string;
  /** For ANONYMISE: the SET clause. */
  set?: string;
}

const ANONYMOUS_IIN = '000000000000';
/** Still needed while the bettor has a retained bet or operation. */
const bettorRetained = `t.bettor_ref IS NOT NULL AND (EXISTS (SELECT 1 FROM bets b WHERE b.bettor_ref = t.bettor_ref AND b.retain_until > $1)
  OR EXISTS (SELECT 1 FROM operations o WHERE o.bettor_ref = t.bettor_ref AND o.retain_until > $1))`;

export const RETENTION_POLICIES: readonly Policy[] = [
  {
    table: 'bets',
    action: 'ANONYMISE',
    due: `t.retain_until <= $1 AND t.iin <> '${ANONYMOUS_IIN}'`,
    set: `iin = '${ANONYMOUS_IIN}'`,
  },
  {
    table: 'operations',
    action: 'ANONYMISE',
    due: `t.retain_until <= $1 AND t.failure_message IS NOT NULL`,
    set: 'failure_message = NULL',
  },
  { table: 'submissions', action: 'REMOVE', due: 't.retain_until <= $1' },
  {
    table: 'resubmission_approvals',
    action: 'REMOVE',
    due: 'NOT EXISTS (SELECT 1 FROM submissions s WHERE s.submission_id = t.submission_id AND s.retain_until > $1)',
  },
  { table: 'incidents', action: 'REMOVE', due: 't.retain_until <= $1' },
  { table: 'bettor_personal_data', action: 'REMOVE', due: `t.retain_until <= $1 AND NOT (${bettorRetained})` },
  { table: 'bettor_identifications', action: 'REMOVE', due: `t.retain_until <= $1 AND NOT (${bettorRetained})` },
  { table: 'reference_photos', action: 'REMOVE', due: 't.retain_until <= $1' },
  { table: 'migration_bettors', action: 'REMOVE', due: 't.retain_until <= $1' },
  { table: 'migration_items', action: 'REMOVE', due: 't.retain_until <= $1' },
  // Reconciliation (migration 017): what a counterpart listed and the differences first, then the runs they name.
  { table: 'reconciliation_listed_records', action: 'REMOVE', due: 't.retain_until <= $1' },
  { table: 'reconciliation_differences', action: 'REMOVE', due: 't.retain_until <= $1' },
  {
    table: 'reconciliation_runs',
    action: 'REMOVE',
    due: `t.retain_until <= $1 AND NOT EXISTS (SELECT 1 FROM reconciliation_differences d WHERE t.run_id IN (d.first_run_id, d.last_run_id))
      AND NOT EXISTS (SELECT 1 FROM reconciliation_listed_records l WHERE l.run_id = t.run_id)`,
  },
];

export interface RetentionOptions {
  /** The moment retention is judged at; the job's "now". */
  asOf: Date;
  dryRun?: boolean;
  /** Rows per statement (each its own transaction), so a large first run never holds long locks. */
  batchSize?: number;
  /** Who ran it, for the journal. */
  actor?: string;
}

export interface RetentionReport {
  asOf: string;
  dryRun: boolean;
  tables: { table: string; action: RetentionAction; rows: number }[];
  /** The journal entry of a real run. */
  journalEntryId?: string;
}

export class RetentionClockAhead extends Error {
  override readonly name = 'RetentionClockAhead';
}

export async function applyRetention(pool: Pool, options: RetentionOptions): Promise<RetentionReport> {
  const asOf = options.asOf;
  const dryRun = options.dryRun ?? false;
  const batch = options.batchSize ?? 500;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError('batchSize: a whole number of rows, at least 1');
  if (Number.isNaN(asOf.getTime())) throw new RangeError('asOf: not a valid time');
  const startedAt = new Date();
  if (!dryRun) {
    const { rows } = await pool.query<{ ahead: boolean; now: Date }>(
      'SELECT $1::timestamptz > now() AS ahead, now() AS now',
      [asOf],
    );
    if (rows[0]!.ahead) {
      throw new RetentionClockAhead(
        `asOf ${asOf.toISOString()} is after the database's clock (${rows[0]!.now.toISOString()}): only a dry run may look ahead`,
      );
    }
  }
  const tables: RetentionReport['tables'] = [];
  for (const p of RETENTION_POLICIES) {
    let rows = 0;
    if (dryRun) {
      rows = Number((await pool.query(`SELECT count(*) AS n FROM ${p.table} t WHERE ${p.due}`, [asOf])).rows[0].n);
    } else {
      const pick = `ARRAY(SELECT t.ctid FROM ${p.table} t WHERE ${p.due} LIMIT $2 FOR UPDATE SKIP LOCKED)`;
      const sql =
        p.action === 'REMOVE'
          ? `DELETE FROM ${p.table} WHERE ctid = ANY (${pick})`
          : `UPDATE ${p.table} SET ${p.set} WHERE ctid = ANY (${pick})`;
      for (;;) {
        const n = (await pool.query(sql, [asOf, batch])).rowCount ?? 0;
        rows += n;
        if (n < batch) break;
      }
    }
    tables.push({ table: p.table, action: p.action, rows });
  }
  const report: RetentionReport = { asOf: asOf.toISOString(), dryRun, tables };
  if (!dryRun) {
    const details = {
      asOf: report.asOf,
      batchSize: batch,
      tables: Object.fromEntries(
        tables.map((t) => [t.table, { [t.action === 'REMOVE' ? 'removed' : 'anonymised']: t.rows }]),
      ),
    };
    report.journalEntryId = await appendJournal(pool, {
      startedAt,
      event: 'RETENTION_APPLIED',
      actor: options.actor ?? 'retention-job',
      recordId: `retention:${report.asOf}`,
      result: 'OK',
      details,
    });
  }
  return report;
}
