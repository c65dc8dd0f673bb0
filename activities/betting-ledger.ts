import { ApplicationFailure } from '@temporalio/activity';
import { settlementAmounts, type BetRecord, type BetResult, type SettlementAccount } from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { stepKey } from '../domain/ids.js';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import {
  Accounts,
  applyTotals,
  ensureBettorAccount,
  lockAccounts,
  lockOperations,
  postWithin,
} from '../store/ledger.js';
import {
  addBettingTotals,
  BettingAccounts,
  isInsufficientBalance,
  PAYOUT_LEG,
  postReservation,
  reserve,
  STAKE_LEG,
  voidReservation,
} from '../store/betting-ledger.js';
import { selectBet } from '../store/bets.js';
import { recordStepsWithin, type StepRecord } from '../store/journal.js';

/**
 * Runs `fn` in a transaction holding the operations' locks (the first names the operation), and turns a balance
 * that would go negative into InsufficientBalance. `fn` locks its accounts (lockAccounts) before it writes:
 * the lock order of store/ledger.ts.
 */
async function withOperations<T>(
  pool: Pool,
  operationIds: [string, ...string[]],
  fn: (db: PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await inTransaction(pool, async (db) => {
      await lockOperations(db, operationIds);
      return fn(db);
    });
  } catch (err) {
    if (isInsufficientBalance(err)) {
      throw ApplicationFailure.create({
        message: `the betting account does not cover ${operationIds[0]}`,
        type: ErrorType.InsufficientBalance,
        nonRetryable: true,
      });
    }
    throw err;
  }
}

/** What the bet saga hands the ledger when it holds a stake: the bet row's own fields (domain/bet.ts). */
export type StakeReservation = Pick<
  BetRecord,
  'betId' | 'workflowId' | 'bettorRef' | 'iin' | 'eventId' | 'outcome' | 'odds' | 'stakeTiyn'
>;

/**
 * `steps`: the saga's steps around a posting (its lean shape runs the ledger as a local activity), journalled
 * in the posting's transaction, so the money and its journal rows land together or not at all.
 */
interface WithSteps {
  steps?: StepRecord[];
}

export function createBettingLedgerActivities({ pool }: { pool: Pool }) {
  const account = (role: SettlementAccount, bettorRef: string) =>
    role === 'BETTOR'
      ? Accounts.bettor(bettorRef)
      : role === 'STAKES_HELD'
        ? BettingAccounts.stakesHeld
        : BettingAccounts.bookmakerRevenue;

  return {
    /** Bet: holds the stake (bettor → stakes-held, pending) and writes the PENDING bet row, in one transaction. */
    async reserveStake({ steps, ...bet }: StakeReservation & WithSteps): Promise<{
      reservationId: string;
      outcome: 'RESERVED' | 'ALREADY_RESERVED';
      placedAt: string;
    }> {
      return withOperations(pool, [bet.betId], async (db) => {
        await ensureBettorAccount(db, bet.bettorRef);
        await lockAccounts(db, [Accounts.bettor(bet.bettorRef), BettingAccounts.stakesHeld]);
        const known = await selectBet(db, bet.betId);
        if (
          known &&
          (known.bettorRef !== bet.bettorRef ||
            known.stakeTiyn !== bet.stakeTiyn ||
            known.odds !== bet.odds ||
            known.eventId !== bet.eventId ||
            known.outcome !== bet.outcome)
        ) {
          throw ApplicationFailure.nonRetryable(
            `bet ${bet.betId} exists with another body`,
            ErrorType.IdempotencyConflict,
          );
        }
        const reservation = await reserve(db, {
          operationId: bet.betId,
          leg: STAKE_LEG,
          debitAccountId: Accounts.bettor(bet.bettorRef),
          creditAccountId: BettingAccounts.stakesHeld,
          amountTiyn: bet.stakeTiyn,
        });
        const { rows } = await db.query(
          `INSERT INTO bets (bet_id, workflow_id, bettor_ref, iin, event_id, outcome, odds, stake_tiyn)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (bet_id) DO UPDATE SET updated_at = bets.updated_at RETURNING placed_at`,
          [bet.betId, bet.workflowId, bet.bettorRef, bet.iin, bet.eventId, bet.outcome, bet.odds, bet.stakeTiyn],
        );
        await recordStepsWithin(db, steps);
        return { ...reservation, placedAt: (rows[0].placed_at as Date).toISOString() };
      });
    },

    /** Bet: on ESU's receipt the stake is posted, the bet is ACCEPTED and counts in the bettor's staked total. */
    async acceptBet({
      betId,
      esuReceiptId,
      acceptedAt,
      steps,
    }: { betId: string; esuReceiptId: string; acceptedAt: string } & WithSteps) {
      return withOperations(pool, [betId], async (db) => {
        const bet = await selectBet(db, betId, true);
        if (!bet) throw ApplicationFailure.nonRetryable(`bet ${betId} was never reserved`, ErrorType.UnknownBet);
        await lockAccounts(db, [Accounts.bettor(bet.bettorRef), BettingAccounts.stakesHeld]);
        const posted = await postReservation(db, betId, STAKE_LEG);
        if (posted.outcome === 'POSTED') {
          await addBettingTotals(db, bet.bettorRef, { stakedTiyn: posted.amountTiyn });
          await db.query(
            `UPDATE bets SET status = 'ACCEPTED', esu_receipt_id = $2, accepted_at = $3, updated_at = now() WHERE bet_id = $1 AND status = 'PENDING'`,
            [betId, esuReceiptId, acceptedAt],
          );
        }
        await recordStepsWithin(db, steps);
        return { transferId: posted.transferId, outcome: posted.outcome };
      });
    },

    /** Compensation of a bet ESU did not accept: releases the stake and marks the bet VOIDED. Idempotent. */
    async voidStake({ betId }: { betId: string }): Promise<'VOIDED' | 'NOTHING_TO_UNDO'> {
      return withOperations(pool, [betId], async (db) => {
        const bet = await selectBet(db, betId, true);
        if (bet) await lockAccounts(db, [Accounts.bettor(bet.bettorRef), BettingAccounts.stakesHeld]);
        const outcome = await voidReservation(db, betId, STAKE_LEG);
        await db.query(
          `UPDATE bets SET status = 'VOIDED', updated_at = now() WHERE bet_id = $1 AND status = 'PENDING'`,
          [betId],
        );
        return outcome;
      });
    },

    async loadBet({ betId }: { betId: string }): Promise<BetRecord | null> {
      return selectBet(pool, betId);
    },

    /**
     * Settlement: moves the stake and winnings as domain/bet.ts `settlementAmounts` says, marks the bet SETTLED
     * and adds the win to the running totals, all in one transaction. Settling again with the same result is
     * ALREADY_SETTLED (nothing moves); with another result it is a SettlementConflict. `stepsIfSettled`: the
     * saga's steps, journalled in the same transaction only when this call settles the bet.
     */
    async settleBetInLedger({
      betId,
      operationId,
      result,
      winningsTiyn,
      stepsIfSettled,
    }: {
      betId: string;
      operationId: string;
      result: BetResult;
      winningsTiyn: number;
      stepsIfSettled?: StepRecord[];
    }) {
      return withOperations(pool, [betId, operationId], async (db) => {
        const bet = await selectBet(db, betId, true);
        if (!bet) throw ApplicationFailure.nonRetryable(`no bet ${betId}`, ErrorType.UnknownBet);
        if (bet.status === 'SETTLED') {
          if (bet.result !== result) {
            throw ApplicationFailure.nonRetryable(
              `bet ${betId} was settled ${bet.result}; it cannot be settled ${result}`,
              ErrorType.SettlementConflict,
            );
          }
          return {
            outcome: 'ALREADY_SETTLED' as const,
            operationId: bet.settlementId!,
            winningsTiyn: bet.winningsTiyn ?? 0,
            settledAt: bet.settledAt!,
          };
        }
        if (bet.status !== 'ACCEPTED')
          throw ApplicationFailure.nonRetryable(
            `bet ${betId} is ${bet.status}, not accepted`,
            ErrorType.BetNotAccepted,
          );
        const amounts = settlementAmounts(bet.stakeTiyn, bet.odds, result);
        if (amounts.winningsTiyn !== winningsTiyn) {
          throw ApplicationFailure.nonRetryable(
            `settlement of ${betId}: winnings ${winningsTiyn} differ from ${amounts.winningsTiyn}`,
            ErrorType.InvalidInput,
          );
        }
        await lockAccounts(db, [
          Accounts.bettor(bet.bettorRef),
          BettingAccounts.stakesHeld,
          BettingAccounts.bookmakerRevenue,
        ]);
        for (const leg of amounts.legs) {
          await postWithin(db, {
            operationId,
            leg: leg.leg,
            debitAccountId: account(leg.from, bet.bettorRef),
            creditAccountId: account(leg.to, bet.bettorRef),
            amountTiyn: leg.amountTiyn,
          });
        }
        await addBettingTotals(db, bet.bettorRef, { winningsTiyn: amounts.winningsTiyn });
        const { rows } = await db.query(
          `UPDATE bets SET status = 'SETTLED', result = $2, winnings_tiyn = $3, settlement_id = $4, settled_at = now(), updated_at = now()
           WHERE bet_id = $1 RETURNING settled_at`,
          [betId, result, amounts.winningsTiyn, operationId],
        );
        await recordStepsWithin(db, stepsIfSettled);
        return {
          outcome: 'SETTLED' as const,
          operationId,
          winningsTiyn: amounts.winningsTiyn,
          settledAt: (rows[0].settled_at as Date).toISOString(),
        };
      });
    },

    /** Payout: holds the amount (bettor → wallet-clearing, pending) until Nomapay has paid it. */
    async reservePayout({
      payoutId,
      bettorRef,
      amountTiyn,
      steps,
    }: {
      payoutId: string;
      bettorRef: string;
      amountTiyn: number;
    } & WithSteps) {
      return withOperations(pool, [payoutId], async (db) => {
        await ensureBettorAccount(db, bettorRef);
        await lockAccounts(db, [Accounts.bettor(bettorRef), Accounts.walletClearing]);
        const reservation = await reserve(db, {
          operationId: payoutId,
          leg: PAYOUT_LEG,
          debitAccountId: Accounts.bettor(bettorRef),
          creditAccountId: Accounts.walletClearing,
          amountTiyn,
        });
        await recordStepsWithin(db, steps);
        return reservation;
      });
    },

    /** Payout: the money left through Nomapay; the reservation is posted and counted as paid to the bettor (AFM order No. 9, item 4(6)). */
    async postPayout({ payoutId, bettorRef, steps }: { payoutId: string; bettorRef: string } & WithSteps) {
      return withOperations(pool, [payoutId], async (db) => {
        await lockAccounts(db, [Accounts.bettor(bettorRef), Accounts.walletClearing]);
        const posted = await postReservation(db, payoutId, PAYOUT_LEG);
        if (posted.outcome === 'POSTED') await applyTotals(db, { bettorRef, paidTiyn: posted.amountTiyn }, 1);
        await recordStepsWithin(db, steps);
        return { transferId: posted.transferId, outcome: posted.outcome };
      });
    },

    /** Compensation of a payout Nomapay did not make: releases the reservation. Idempotent. */
    async releasePayout({
      payoutId,
      bettorRef,
    }: {
      payoutId: string;
      bettorRef: string;
    }): Promise<'VOIDED' | 'NOTHING_TO_UNDO'> {
      return withOperations(pool, [payoutId], async (db) => {
        await lockAccounts(db, [Accounts.bettor(bettorRef), Accounts.walletClearing]);
        return voidReservation(db, payoutId, PAYOUT_LEG);
      });
    },
  };
}

export type BettingLedgerActivities = ReturnType<typeof createBettingLedgerActivities>;
