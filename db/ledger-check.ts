import type { Pool } from './pool.js';

export interface LedgerProblem {
  kind: 'ACCOUNT_TOTALS' | 'UNBALANCED' | 'RUNNING_TOTALS';
  message: string;
  /** What it concerns: an account id, `ledger` (the whole ledger) or `bettor_totals`. */
  recordId?: string;
}

/**
 * The ledger's own invariants, recomputed from its rows: every account's posted sums equal its transfers and its
 * pending sums its open reservations; debits equal credits across the ledger (double entry); the bettors' running
 * totals (AFM order No. 9, item 4(6)) equal what the transfers say (the `bettor_totals_check` view of migration
 * 008). Used after a restore; ids only, no personal data, in the messages.
 */
export async function checkLedger(pool: Pool): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const accounts = await pool.query<{ id: string }>(
    `WITH posted AS (
       SELECT id, sum(d)::bigint AS d, sum(c)::bigint AS c FROM (
         SELECT debit_account_id AS id, amount_tiyn AS d, 0 AS c FROM ledger_transfers
         UNION ALL SELECT credit_account_id, 0, amount_tiyn FROM ledger_transfers) x GROUP BY id),
     pending AS (
       SELECT id, sum(d)::bigint AS d, sum(c)::bigint AS c FROM (
         SELECT debit_account_id AS id, amount_tiyn AS d, 0 AS c FROM ledger_pending_transfers WHERE status = 'PENDING'
         UNION ALL SELECT credit_account_id, 0, amount_tiyn FROM ledger_pending_transfers WHERE status = 'PENDING') x GROUP BY id)
     SELECT a.id FROM ledger_accounts a LEFT JOIN posted p ON p.id = a.id LEFT JOIN pending q ON q.id = a.id
     WHERE (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)
           <> (coalesce(p.d, 0), coalesce(p.c, 0), coalesce(q.d, 0), coalesce(q.c, 0))
     ORDER BY a.id LIMIT 20`,
  );
  for (const r of accounts.rows)
    problems.push({
      kind: 'ACCOUNT_TOTALS',
      recordId: r.id,
      message: `account ${r.id}: its sums differ from its transfers and reservations`,
    });
  const balance = (
    await pool.query(
      `SELECT sum(debits_posted)::text AS dp, sum(credits_posted)::text AS cp, sum(debits_pending)::text AS dq, sum(credits_pending)::text AS cq FROM ledger_accounts`,
    )
  ).rows[0];
  if (balance.dp !== balance.cp || balance.dq !== balance.cq) {
    problems.push({
      kind: 'UNBALANCED',
      recordId: 'ledger',
      message: `debits ${balance.dp} (pending ${balance.dq}) differ from credits ${balance.cp} (pending ${balance.cq})`,
    });
  }
  const totals = await pool.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM bettor_totals_check WHERE NOT consistent',
  );
  if (totals.rows[0]!.n !== '0')
    problems.push({
      kind: 'RUNNING_TOTALS',
      recordId: 'bettor_totals',
      message: `${totals.rows[0]!.n} bettors' running totals differ from their transfers`,
    });
  return problems;
}
