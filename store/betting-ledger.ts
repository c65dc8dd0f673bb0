import { ApplicationFailure } from '@temporalio/common';
import type { BetResult } from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { stepKey } from '../domain/ids.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { CHECK_VIOLATION, lockAccounts, moveBalances, requireSameMovement, reversedBefore } from './ledger.js';

/** Accounts of the betting book besides the bettors' own (seeded by 002_betting.sql). */
export const BettingAccounts = {
  stakesHeld: 'stakes-held',
  bookmakerRevenue: 'bookmaker-revenue',
} as const;

/** Leg names: a reservation `<operationId>:<leg>` keeps its id when posted, so replays find it either way. */
export const STAKE_LEG = 'stake';
export const PAYOUT_LEG = 'payout';

export interface Reservation {
  operationId: string;
  leg: string;
  debitAccountId: string;
  creditAccountId: string;
  amountTiyn: number;
}

export function isInsufficientBalance(err: unknown): boolean {
  const pgErr = err as { code?: string; constraint?: string };
  return pgErr.code === CHECK_VIOLATION && pgErr.constraint === 'balance_never_negative';
}

/** A reservation's pending sums on both its accounts (negative: released), debit side first as before. */
async function addPending(db: PoolClient, debitAccountId: string, creditAccountId: string, amountTiyn: number) {
  await db.query('UPDATE ledger_accounts SET debits_pending = debits_pending + $2 WHERE id = $1', [
    debitAccountId,
    amountTiyn,
  ]);
  await db.query('UPDATE ledger_accounts SET credits_pending = credits_pending + $2 WHERE id = $1', [
    creditAccountId,
    amountTiyn,
  ]);
}

/**
 * Reserves money as a pending transfer: it counts in debits_pending, so balance_never_negative refuses a
 * reservation the balance cannot cover (InsufficientBalance; the caller's transaction rolls back). Idempotent.
 */
export async function reserve(
  db: PoolClient,
  r: Reservation,
): Promise<{ reservationId: string; outcome: 'RESERVED' | 'ALREADY_RESERVED' }> {
  const reservationId = stepKey(r.operationId, r.leg);
  const existing = await db.query(
    'SELECT debit_account_id, credit_account_id, amount_tiyn, status FROM ledger_pending_transfers WHERE id = $1',
    [reservationId],
  );
  if (existing.rowCount) {
    const row = existing.rows[0];
    requireSameMovement(row, r, `reservation ${reservationId}`);
    if (row.status === 'VOIDED')
      throw ApplicationFailure.nonRetryable(`reservation ${reservationId} was voided`, ErrorType.LedgerRejected);
    return { reservationId, outcome: 'ALREADY_RESERVED' };
  }
  if (await reversedBefore(db, reservationId)) {
    // Its void ran first (the reservation's outcome was unknown): a late reservation must not hold money afterwards.
    throw ApplicationFailure.nonRetryable(`reservation ${reservationId} was already voided`, ErrorType.LedgerRejected);
  }
  await db.query(
    `INSERT INTO ledger_pending_transfers (id, operation_id, leg, debit_account_id, credit_account_id, amount_tiyn)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [reservationId, r.operationId, r.leg, r.debitAccountId, r.creditAccountId, r.amountTiyn],
  );
  await addPending(db, r.debitAccountId, r.creditAccountId, r.amountTiyn);
  return { reservationId, outcome: 'RESERVED' };
}

/** Posts a reservation: pending sums become posted ones and a ledger_transfers row with the same id appears. */
export async function postReservation(
  db: PoolClient,
  operationId: string,
  leg: string,
): Promise<{ transferId: string; outcome: 'POSTED' | 'ALREADY_POSTED'; amountTiyn: number }> {
  const transferId = stepKey(operationId, leg);
  const { rows } = await db.query(
    'SELECT debit_account_id, credit_account_id, amount_tiyn, status FROM ledger_pending_transfers WHERE id = $1 FOR UPDATE',
    [transferId],
  );
  const row = rows[0];
  if (!row) throw ApplicationFailure.nonRetryable(`nothing is reserved under ${transferId}`, ErrorType.LedgerRejected);
  if (row.status === 'POSTED') return { transferId, outcome: 'ALREADY_POSTED', amountTiyn: row.amount_tiyn };
  if (row.status === 'VOIDED')
    throw ApplicationFailure.nonRetryable(
      `reservation ${transferId} was voided; it cannot be posted`,
      ErrorType.LedgerRejected,
    );
  const amount = row.amount_tiyn as number;
  await db.query("UPDATE ledger_pending_transfers SET status = 'POSTED', resolved_at = now() WHERE id = $1", [
    transferId,
  ]);
  // One UPDATE per account, so balance_never_negative sees the move from pending to posted as one change.
  await db.query(
    'UPDATE ledger_accounts SET debits_pending = debits_pending - $2, debits_posted = debits_posted + $2 WHERE id = $1',
    [row.debit_account_id, amount],
  );
  await db.query(
    'UPDATE ledger_accounts SET credits_pending = credits_pending - $2, credits_posted = credits_posted + $2 WHERE id = $1',
    [row.credit_account_id, amount],
  );
  await db.query(
    `INSERT INTO ledger_transfers (id, operation_id, leg, debit_account_id, credit_account_id, amount_tiyn) VALUES ($1, $2, $3, $4, $5, $6)`,
    [transferId, operationId, leg, row.debit_account_id, row.credit_account_id, amount],
  );
  return { transferId, outcome: 'POSTED', amountTiyn: amount };
}

/**
 * Compensation: releases a reservation. Idempotent; when nothing was reserved (the reservation never landed)
 * it leaves a tombstone so a late reservation is refused. A posted reservation cannot be voided: that is a
 * non-retryable refusal, so the saga fails with CompensationFailed for compliance to see.
 */
export async function voidReservation(
  db: PoolClient,
  operationId: string,
  leg: string,
): Promise<'VOIDED' | 'NOTHING_TO_UNDO'> {
  const reservationId = stepKey(operationId, leg);
  const { rows } = await db.query(
    'SELECT debit_account_id, credit_account_id, amount_tiyn, status FROM ledger_pending_transfers WHERE id = $1 FOR UPDATE',
    [reservationId],
  );
  const row = rows[0];
  if (!row) {
    await db.query('INSERT INTO ledger_tombstones (transfer_id) VALUES ($1) ON CONFLICT DO NOTHING', [reservationId]);
    return 'NOTHING_TO_UNDO';
  }
  if (row.status === 'VOIDED') return 'VOIDED';
  if (row.status === 'POSTED')
    throw ApplicationFailure.nonRetryable(
      `reservation ${reservationId} is already posted; it cannot be voided`,
      ErrorType.LedgerRejected,
    );
  await db.query("UPDATE ledger_pending_transfers SET status = 'VOIDED', resolved_at = now() WHERE id = $1", [
    reservationId,
  ]);
  await addPending(db, row.debit_account_id, row.credit_account_id, -row.amount_tiyn);
  return 'VOIDED';
}

export async function addBettingTotals(
  db: PoolClient,
  bettorRef: string,
  change: { stakedTiyn?: number; winningsTiyn?: number },
): Promise<void> {
  await db.query(
    `INSERT INTO bettor_totals (bettor_ref, staked_tiyn, winnings_tiyn, operations) VALUES ($1, $2, $3, 1)
     ON CONFLICT (bettor_ref) DO UPDATE SET
       staked_tiyn = bettor_totals.staked_tiyn + EXCLUDED.staked_tiyn,
       winnings_tiyn = bettor_totals.winnings_tiyn + EXCLUDED.winnings_tiyn,
       operations = bettor_totals.operations + 1,
       updated_at = now()`,
    [bettorRef, change.stakedTiyn ?? 0, change.winningsTiyn ?? 0],
  );
}

/** Read side for the client, the CLI and tests: the running totals of AFM order No. 9, item 4(6), including stakes and wins. */
export async function bettingTotals(
  pool: Pool,
  bettorRef: string,
): Promise<{ receivedTiyn: number; paidTiyn: number; stakedTiyn: number; winningsTiyn: number }> {
  const { rows } = await pool.query(
    'SELECT received_tiyn, paid_tiyn, staked_tiyn, winnings_tiyn FROM bettor_totals WHERE bettor_ref = $1',
    [bettorRef],
  );
  const row = rows[0];
  return {
    receivedTiyn: row?.received_tiyn ?? 0,
    paidTiyn: row?.paid_tiyn ?? 0,
    stakedTiyn: row?.staked_tiyn ?? 0,
    winningsTiyn: row?.winnings_tiyn ?? 0,
  };
}
