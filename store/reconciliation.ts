import type { Pool } from '../db/pool.js';

/** A reconciliation run or difference as its table keeps it. */
export type ReconciliationRecord = Record<string, any>;

/**
 * A day's reconciliation as PostgreSQL holds it: its runs, latest first, and every difference of the day (open
 * ones first). The day is a valid listing date; how it reads to a person is the client's (client/reconciliation.ts).
 */
export async function reconciliationOfDay(
  pool: Pool,
  day: string,
): Promise<{ runs: ReconciliationRecord[]; differences: ReconciliationRecord[] }> {
  const runs = await pool.query(`SELECT * FROM reconciliation_runs WHERE day = $1 ORDER BY started_at DESC`, [day]);
  const differences = await pool.query(
    `SELECT * FROM reconciliation_differences WHERE day = $1 ORDER BY status DESC, counterpart, kind, record_id`,
    [day],
  );
  return { runs: runs.rows, differences: differences.rows };
}
