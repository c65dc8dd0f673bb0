import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import { stepKey } from '../domain/ids.js';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { recordStepsWithin, type StepRecord } from './journal.js';

/** Ledger account ids. A bettor's betting account is keyed by the keyed hash of the IIN, never the IIN. */
export const Accounts = {
  walletClearing: 'wallet-clearing',
  bettor: (bettorRef: string) => `bettor:${bettorRef}`,
} as const;

export interface Posting {
  operationId: string;
  leg: string;
  debitAccountId: string;
  creditAccountId: string;
  amountTiyn: number;
  /** Change to the bettor's running totals made in the same transaction (AFM order No. 9, item 4(6)). */
  totals?: { bettorRef: string; receivedTiyn?: number; paidTiyn?: number };
}

export interface PostingResult {
  transferId: string;
  outcome: 'POSTED' | 'ALREADY_POSTED';
}

export const CHECK_VIOLATION = '23514';

/** What a posting or a reservation moves: from one account to another, an amount. */
type Movement = Pick<Posting, 'debitAccountId' | 'creditAccountId' | 'amountTiyn'>;

/**
 * A replay must move what the row kept under its id moved (ledger_transfers, ledger_pending_transfers): other
 * accounts or another amount is an IdempotencyConflict, `what` naming the row.
 */
export function requireSameMovement(
  row: { amount_tiyn: number; debit_account_id: string; credit_account_id: string },
  movement: Movement,
  what: string,
): void {
  if (
    row.amount_tiyn !== movement.amountTiyn ||
    row.debit_account_id !== movement.debitAccountId ||
    row.credit_account_id !== movement.creditAccountId
  ) {
    throw ApplicationFailure.nonRetryable(
      `${what} exists with other accounts or amount`,
      ErrorType.IdempotencyConflict,
    );
  }
}

/** Whether a transfer's reversal (or a reservation's void) came first and left a tombstone under its id. */
export async function reversedBefore(db: PoolClient, transferId: string): Promise<boolean> {
  const tomb = await db.query('SELECT 1 FROM ledger_tombstones WHERE transfer_id = $1', [transferId]);
  return Boolean(tomb.rowCount);
}

export async function ensureBettorAccount(db: PoolClient, bettorRef: string): Promise<void> {
  await db.query(
    `INSERT INTO ledger_accounts (id, kind, bettor_ref, debits_must_not_exceed_credits)
     VALUES ($1, 'BETTOR', $2, true) ON CONFLICT (id) DO NOTHING`,
    [Accounts.bettor(bettorRef), bettorRef],
  );
}

/**
 * Adds a posting's change to the bettor's running totals (sign -1 takes back a reversed one's). The row is made
 * first and changed after: an INSERT … ON CONFLICT would check the non-negative constraints of
 * db/migrations/008_ledger_guards.sql on the row it proposes, the negative change itself, before finding the row.
 */
export async function applyTotals(db: PoolClient, totals: Posting['totals'], sign: 1 | -1): Promise<void> {
  if (!totals) return;
  await db.query('INSERT INTO bettor_totals (bettor_ref) VALUES ($1) ON CONFLICT (bettor_ref) DO NOTHING', [
    totals.bettorRef,
  ]);
  await db.query(
    `UPDATE bettor_totals SET received_tiyn = received_tiyn + $2, paid_tiyn = paid_tiyn + $3, operations = operations + $4, updated_at = now()
     WHERE bettor_ref = $1`,
    [totals.bettorRef, sign * (totals.receivedTiyn ?? 0), sign * (totals.paidTiyn ?? 0), sign],
  );
}

/** Moves posted sums. The caller holds both accounts' row locks (lockAccounts), so the order of the UPDATEs is free. */
export async function moveBalances(db: PoolClient, debit: string, credit: string, amount: number): Promise<void> {
  await db.query('UPDATE ledger_accounts SET debits_posted = debits_posted + $2 WHERE id = $1', [debit, amount]);
  await db.query('UPDATE ledger_accounts SET credits_posted = credits_posted + $2 WHERE id = $1', [credit, amount]);
}

/*
 * One lock order for every ledger transaction, so that two of them can only ever wait for each other one way
 * round, never both ways (a deadlock, SQLSTATE 40P01):
 *   1. the advisory locks of the operations it moves money for, by id (lockOperations);
 *   2. the bettor's account created if it is new (ensureBettorAccount: nobody else can hold a row not yet there);
 *   3. the rows of every account it touches, by id, FOR UPDATE (lockAccounts), before anything writes to them
 *      or to a row that references them (an INSERT into ledger_transfers takes a key-share lock on both accounts);
 *   4. then the operation's own rows (transfers, reservations, the bet) and the bettor's running totals.
 * A settlement holds two operation locks, its bet's and its own; everything else holds one. A bet's row, which
 * only a holder of its bet's operation lock writes, may be read FOR UPDATE before step 3 to learn the bettor.
 */

/** Serialises everything that touches these operations' postings, so a reversal and a late posting cannot interleave. */
export async function lockOperations(db: PoolClient, operationIds: string[]): Promise<void> {
  for (const id of [...new Set(operationIds)].sort()) {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
  }
}

/** Takes the accounts' row locks in one order, by id (the accounts must exist: ensureBettorAccount first). */
export async function lockAccounts(db: PoolClient, accountIds: string[]): Promise<void> {
  await db.query('SELECT id FROM ledger_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE', [accountIds]);
}

/**
 * Posts one double-entry transfer exactly once inside the caller's transaction, which must hold the
 * operation's lock and both accounts' row locks (lockOperations, lockAccounts). A replay answers ALREADY_POSTED.
 */
export async function postWithin(db: PoolClient, posting: Posting): Promise<PostingResult> {
  const transferId = stepKey(posting.operationId, posting.leg);
  const existing = await db.query(
    'SELECT amount_tiyn, debit_account_id, credit_account_id FROM ledger_transfers WHERE id = $1',
    [transferId],
  );
  if (existing.rowCount) {
    requireSameMovement(existing.rows[0], posting, `ledger transfer ${transferId}`);
    return { transferId, outcome: 'ALREADY_POSTED' as const };
  }
  if (await reversedBefore(db, transferId)) {
    throw ApplicationFailure.nonRetryable(
      `ledger transfer ${transferId} was already reversed`,
      ErrorType.LedgerRejected,
    );
  }
  await db.query(
    `INSERT INTO ledger_transfers (id, operation_id, leg, debit_account_id, credit_account_id, amount_tiyn)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [transferId, posting.operationId, posting.leg, posting.debitAccountId, posting.creditAccountId, posting.amountTiyn],
  );
  await moveBalances(db, posting.debitAccountId, posting.creditAccountId, posting.amountTiyn);
  await applyTotals(db, posting.totals, 1);
  return { transferId, outcome: 'POSTED' as const };
}

/**
 * Posts one double-entry transfer exactly once, in its own transaction with the saga's steps around it (one local
 * activity). A replay of the same posting answers ALREADY_POSTED. A posting that would take a guarded account below
 * zero fails with the database's CHECK_VIOLATION.
 */
export async function postTransfer(
  pool: Pool,
  posting: Posting,
  steps?: readonly StepRecord[],
): Promise<PostingResult> {
  return inTransaction(pool, async (db) => {
    await lockOperations(db, [posting.operationId]);
    if (posting.totals) await ensureBettorAccount(db, posting.totals.bettorRef);
    await lockAccounts(db, [posting.debitAccountId, posting.creditAccountId]);
    const result = await postWithin(db, posting);
    // The saga's steps around the posting, journalled with it (one transaction, one local activity).
    await recordStepsWithin(db, steps);
    return result;
  });
}

/**
 * Compensation: reverses a posting with a mirror transfer `<leg>-reversal`. Idempotent; when the original
 * never landed it leaves a tombstone so that it cannot land afterwards.
 */
export async function reverseTransfer(
  pool: Pool,
  { operationId, leg, totals }: Pick<Posting, 'operationId' | 'leg' | 'totals'>,
): Promise<'REVERSED' | 'NOTHING_TO_UNDO'> {
  const originalId = stepKey(operationId, leg);
  const reversalLeg = `${leg}-reversal`;
  return inTransaction(pool, async (db) => {
    await lockOperations(db, [operationId]);
    const original = await db.query(
      'SELECT debit_account_id, credit_account_id, amount_tiyn FROM ledger_transfers WHERE id = $1',
      [originalId],
    );
    if (!original.rowCount) {
      await db.query('INSERT INTO ledger_tombstones (transfer_id) VALUES ($1) ON CONFLICT DO NOTHING', [originalId]);
      return 'NOTHING_TO_UNDO';
    }
    const reversalId = stepKey(operationId, reversalLeg);
    const done = await db.query('SELECT 1 FROM ledger_transfers WHERE id = $1', [reversalId]);
    if (done.rowCount) return 'REVERSED';
    const { debit_account_id: debit, credit_account_id: credit, amount_tiyn: amount } = original.rows[0];
    await lockAccounts(db, [debit, credit]);
    await db.query(
      `INSERT INTO ledger_transfers (id, operation_id, leg, debit_account_id, credit_account_id, amount_tiyn, reverses)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [reversalId, operationId, reversalLeg, credit, debit, amount, originalId],
    );
    await moveBalances(db, credit, debit, amount);
    await applyTotals(db, totals, -1);
    return 'REVERSED';
  });
}

/** Read side used by the client, the CLI and tests. */
export async function bettorBalance(pool: Pool, bettorRef: string): Promise<number> {
  const { rows } = await pool.query(
    'SELECT credits_posted - debits_posted - debits_pending AS balance FROM ledger_accounts WHERE id = $1',
    [Accounts.bettor(bettorRef)],
  );
  return rows[0]?.balance ?? 0;
}

export async function bettorTotals(pool: Pool, bettorRef: string): Promise<{ receivedTiyn: number; paidTiyn: number }> {
  const { rows } = await pool.query('SELECT received_tiyn, paid_tiyn FROM bettor_totals WHERE bettor_ref = $1', [
    bettorRef,
  ]);
  return { receivedTiyn: rows[0]?.received_tiyn ?? 0, paidTiyn: rows[0]?.paid_tiyn ?? 0 };
}
