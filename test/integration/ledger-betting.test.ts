import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { Accounts, bettorBalance } from '../../store/ledger.js';
import type { StakeReservation } from '../../activities/betting-ledger.js';
import { BettingAccounts, bettingTotals } from '../../store/betting-ledger.js';
import { readBet } from '../../store/bets.js';
import { ErrorType } from '../../domain/errors.js';
import { uniqueId } from '../support/ids.js';
import {
  pool,
  betting,
  fundedBettor,
  legsOf,
  newBettorRef,
  reserveAndAccept,
  useLedger,
  stakeReservation as stake,
} from '../support/ledger.js';

useLedger(20);

async function account(id: string) {
  const { rows } = await pool.query(
    'SELECT debits_posted, credits_posted, debits_pending, credits_pending FROM ledger_accounts WHERE id = $1',
    [id],
  );
  return rows[0] as { debits_posted: number; credits_posted: number; debits_pending: number; credits_pending: number };
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const acceptedBet = (bettorRef: string, overrides: Partial<StakeReservation> = {}) =>
  reserveAndAccept(stake(bettorRef, overrides));
/** Settles an accepted bet in the ledger under its own settlement id, `<betId>.settle`. */
const settle = (bet: StakeReservation, result: 'WON' | 'LOST' | 'VOID', winningsTiyn = 0) =>
  betting.settleBetInLedger({ betId: bet.betId, operationId: `${bet.betId}.settle`, result, winningsTiyn });

/** The exact running totals of a bettor funded with 1 000 tiyn (as `fundedBettor(1_000)`) and paid nothing out. */
const fundedTotals = (stakedTiyn: number, winningsTiyn: number) => ({
  receivedTiyn: 1_000,
  paidTiyn: 0,
  stakedTiyn,
  winningsTiyn,
});

describe('stakes as pending transfers', () => {
  it('holds the stake at once, then posts it on ESU’s receipt and counts it as staked', async () => {
    const bettorRef = await fundedBettor(1_000);
    const heldBefore = await account(BettingAccounts.stakesHeld);
    const bet = stake(bettorRef);
    const reserved = await betting.reserveStake(bet);
    expect(reserved).toMatchObject({ reservationId: `${bet.betId}:stake`, outcome: 'RESERVED' });
    expect(await bettorBalance(pool, bettorRef)).toBe(667); // the held stake is not spendable
    expect(await account(Accounts.bettor(bettorRef))).toMatchObject({ debits_posted: 0, debits_pending: 333 });
    expect((await readBet(pool, bet.betId))?.status).toBe('PENDING');

    expect(
      await betting.acceptBet({ betId: bet.betId, esuReceiptId: 'ESU-9', acceptedAt: '2026-11-20T05:00:00.000Z' }),
    ).toEqual({
      transferId: `${bet.betId}:stake`,
      outcome: 'POSTED',
    });
    expect(
      await betting.acceptBet({ betId: bet.betId, esuReceiptId: 'ESU-9', acceptedAt: '2026-11-20T05:00:00.000Z' }),
    ).toMatchObject({ outcome: 'ALREADY_POSTED' });
    expect(await bettorBalance(pool, bettorRef)).toBe(667);
    expect(await account(Accounts.bettor(bettorRef))).toMatchObject({ debits_posted: 333, debits_pending: 0 });
    const heldAfter = await account(BettingAccounts.stakesHeld);
    expect(heldAfter.credits_posted - heldBefore.credits_posted).toBe(333);
    expect(heldAfter.credits_pending).toBe(heldBefore.credits_pending);
    expect(await readBet(pool, bet.betId)).toMatchObject({
      status: 'ACCEPTED',
      esuReceiptId: 'ESU-9',
      odds: '2.35',
      stakeTiyn: 333,
      acceptedAt: '2026-11-20T05:00:00.000Z',
    });
    expect(await bettingTotals(pool, bettorRef)).toEqual(fundedTotals(333, 0));
  });

  it('answers a replayed reservation without holding twice, and refuses one with another body', async () => {
    const bettorRef = await fundedBettor(1_000);
    const bet = stake(bettorRef);
    const results = await Promise.all(Array.from({ length: 6 }, () => betting.reserveStake(bet)));
    expect(results.filter((r) => r.outcome === 'RESERVED')).toHaveLength(1);
    expect(await bettorBalance(pool, bettorRef)).toBe(667);
    expect((await failure(betting.reserveStake({ ...bet, odds: '3.1' }))).type).toBe(ErrorType.IdempotencyConflict);
  });

  it('voids a held stake, restoring the balance, and refuses to hold it again', async () => {
    const bettorRef = await fundedBettor(1_000);
    const bet = stake(bettorRef);
    await betting.reserveStake(bet);
    expect(await betting.voidStake({ betId: bet.betId })).toBe('VOIDED');
    expect(await betting.voidStake({ betId: bet.betId })).toBe('VOIDED');
    expect(await bettorBalance(pool, bettorRef)).toBe(1_000);
    expect((await readBet(pool, bet.betId))?.status).toBe('VOIDED');
    expect((await failure(betting.reserveStake(bet))).type).toBe(ErrorType.LedgerRejected);
    expect(
      (
        await failure(
          betting.acceptBet({ betId: bet.betId, esuReceiptId: 'ESU-1', acceptedAt: '2026-11-20T05:00:00.000Z' }),
        )
      ).type,
    ).toBe(ErrorType.LedgerRejected);
    expect(await bettingTotals(pool, bettorRef)).toMatchObject({ stakedTiyn: 0 });
  });

  it('leaves a tombstone when the void comes before the reservation, so the late reservation is refused', async () => {
    const bettorRef = await fundedBettor(1_000);
    const bet = stake(bettorRef);
    expect(await betting.voidStake({ betId: bet.betId })).toBe('NOTHING_TO_UNDO');
    expect((await failure(betting.reserveStake(bet))).type).toBe(ErrorType.LedgerRejected);
    expect(await bettorBalance(pool, bettorRef)).toBe(1_000);
    expect(await readBet(pool, bet.betId)).toBeNull();
  });

  it('refuses a stake the balance does not cover, leaving nothing behind', async () => {
    const bettorRef = await fundedBettor(300);
    const bet = stake(bettorRef);
    expect((await failure(betting.reserveStake(bet))).type).toBe(ErrorType.InsufficientBalance);
    expect(await bettorBalance(pool, bettorRef)).toBe(300);
    expect(await readBet(pool, bet.betId)).toBeNull();
    // A bettor who never deposited has nothing to stake either.
    expect((await failure(betting.reserveStake(stake(newBettorRef())))).type).toBe(ErrorType.InsufficientBalance);
  });

  it('never lets concurrent stakes and payouts overdraw the account', async () => {
    const bettorRef = await fundedBettor(10_000);
    const attempts = [
      ...Array.from({ length: 6 }, () => betting.reserveStake(stake(bettorRef, { stakeTiyn: 3_000 }))),
      ...Array.from({ length: 3 }, () =>
        betting.reservePayout({ payoutId: uniqueId('po'), bettorRef, amountTiyn: 3_000 }),
      ),
    ];
    const settled = await Promise.allSettled(attempts);
    const held = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(held).toHaveLength(3);
    expect(refused.map((r) => (r.reason as ApplicationFailure).type)).toEqual(
      Array(6).fill(ErrorType.InsufficientBalance),
    );
    expect(await bettorBalance(pool, bettorRef)).toBe(1_000);
    const bettor = await account(Accounts.bettor(bettorRef));
    expect(bettor.debits_posted + bettor.debits_pending).toBeLessThanOrEqual(bettor.credits_posted);
  });
});

describe('settlement postings', () => {
  it('credits a won bet with stake × odds rounded down, from stakes-held and revenue, once', async () => {
    const bettorRef = await fundedBettor(1_000);
    const bet = await acceptedBet(bettorRef);
    const revenueBefore = await account(BettingAccounts.bookmakerRevenue);
    const operationId = `${bet.betId}.settle`;
    const settled = await betting.settleBetInLedger({
      betId: bet.betId,
      operationId,
      result: 'WON',
      winningsTiyn: 782,
    });
    expect(settled).toMatchObject({ outcome: 'SETTLED', operationId, winningsTiyn: 782 });
    expect(await bettorBalance(pool, bettorRef)).toBe(1_000 - 333 + 782);
    expect((await account(BettingAccounts.bookmakerRevenue)).debits_posted - revenueBefore.debits_posted).toBe(449);
    expect(await legsOf(operationId)).toEqual([
      { leg: 'stake-return', amount_tiyn: 333 },
      { leg: 'winnings', amount_tiyn: 449 },
    ]);
    expect(await readBet(pool, bet.betId)).toMatchObject({
      status: 'SETTLED',
      result: 'WON',
      winningsTiyn: 782,
      settlementId: operationId,
      settledAt: settled.settledAt,
    });

    // Again with the same result (even under another settlement id): the earlier outcome, nothing moves.
    const again = await betting.settleBetInLedger({
      betId: bet.betId,
      operationId: 'other-id',
      result: 'WON',
      winningsTiyn: 782,
    });
    expect(again).toEqual({ outcome: 'ALREADY_SETTLED', operationId, winningsTiyn: 782, settledAt: settled.settledAt });
    expect(await bettorBalance(pool, bettorRef)).toBe(1_449);
    expect(
      (await failure(betting.settleBetInLedger({ betId: bet.betId, operationId, result: 'LOST', winningsTiyn: 0 })))
        .type,
    ).toBe(ErrorType.SettlementConflict);
    expect(await bettingTotals(pool, bettorRef)).toEqual(fundedTotals(333, 782));
  });

  it('turns a lost stake into revenue, and gives a void stake back without a win', async () => {
    const bettorRef = await fundedBettor(1_000);
    const lost = await acceptedBet(bettorRef, { stakeTiyn: 400 });
    const voided = await acceptedBet(bettorRef, { stakeTiyn: 100 });
    const revenueBefore = await account(BettingAccounts.bookmakerRevenue);
    await settle(lost, 'LOST');
    await settle(voided, 'VOID');
    expect((await account(BettingAccounts.bookmakerRevenue)).credits_posted - revenueBefore.credits_posted).toBe(400);
    expect(await bettorBalance(pool, bettorRef)).toBe(600);
    expect(await bettingTotals(pool, bettorRef)).toMatchObject({ stakedTiyn: 500, winningsTiyn: 0 });
  });

  it('refuses unknown, unaccepted and miscalculated settlements without moving money', async () => {
    const bettorRef = await fundedBettor(1_000);
    const pending = stake(bettorRef);
    await betting.reserveStake(pending);
    expect(
      (
        await failure(
          betting.settleBetInLedger({
            betId: uniqueId('bet'),
            operationId: uniqueId('s'),
            result: 'WON',
            winningsTiyn: 0,
          }),
        )
      ).type,
    ).toBe(ErrorType.UnknownBet);
    expect(
      (
        await failure(
          betting.settleBetInLedger({
            betId: pending.betId,
            operationId: uniqueId('s'),
            result: 'WON',
            winningsTiyn: 782,
          }),
        )
      ).type,
    ).toBe(ErrorType.BetNotAccepted);
    const accepted = await acceptedBet(bettorRef);
    expect(
      (
        await failure(
          betting.settleBetInLedger({
            betId: accepted.betId,
            operationId: uniqueId('s'),
            result: 'WON',
            winningsTiyn: 783,
          }),
        )
      ).type,
    ).toBe(ErrorType.InvalidInput);
    expect(await bettorBalance(pool, bettorRef)).toBe(1_000 - 333 - 333);
    expect((await readBet(pool, accepted.betId))?.status).toBe('ACCEPTED');
  });
});

describe('payout postings', () => {
  it('holds the amount, posts it once paid and counts it as paid to the bettor', async () => {
    const bettorRef = await fundedBettor(5_000);
    const payoutId = uniqueId('po');
    expect(await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 2_000 })).toMatchObject({
      outcome: 'RESERVED',
    });
    expect(await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 2_000 })).toMatchObject({
      outcome: 'ALREADY_RESERVED',
    });
    expect(await bettorBalance(pool, bettorRef)).toBe(3_000);
    expect(await betting.postPayout({ payoutId, bettorRef })).toMatchObject({ outcome: 'POSTED' });
    expect(await betting.postPayout({ payoutId, bettorRef })).toMatchObject({ outcome: 'ALREADY_POSTED' });
    expect(await bettingTotals(pool, bettorRef)).toMatchObject({ receivedTiyn: 5_000, paidTiyn: 2_000 });
    expect(await bettorBalance(pool, bettorRef)).toBe(3_000);
    // Money that left cannot be released back: the compensation fails loudly.
    expect((await failure(betting.releasePayout({ payoutId, bettorRef }))).type).toBe(ErrorType.LedgerRejected);
  });

  it('releases a hold Nomapay never paid, and finds nothing to undo when nothing was held', async () => {
    const bettorRef = await fundedBettor(5_000);
    const payoutId = uniqueId('po');
    await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 2_000 });
    expect(await betting.releasePayout({ payoutId, bettorRef })).toBe('VOIDED');
    expect(await bettorBalance(pool, bettorRef)).toBe(5_000);
    expect(await betting.releasePayout({ payoutId: uniqueId('po'), bettorRef })).toBe('NOTHING_TO_UNDO');
    expect((await failure(betting.reservePayout({ payoutId, bettorRef, amountTiyn: 9_000 }))).type).toBe(
      ErrorType.IdempotencyConflict,
    );
    expect(
      (await failure(betting.reservePayout({ payoutId: uniqueId('po'), bettorRef, amountTiyn: 9_000 }))).type,
    ).toBe(ErrorType.InsufficientBalance);
    expect(await bettingTotals(pool, bettorRef)).toMatchObject({ paidTiyn: 0 });
  });
});

describe('books and running totals', () => {
  it('keeps the running totals consistent with the balance', async () => {
    const bettorRef = await fundedBettor(10_000);
    const won = await acceptedBet(bettorRef, { stakeTiyn: 1_000, odds: '1.85' });
    await settle(won, 'WON', 1_850);
    const lost = await acceptedBet(bettorRef, { stakeTiyn: 2_000 });
    await settle(lost, 'LOST');
    const payoutId = uniqueId('po');
    await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 4_000 });
    await betting.postPayout({ payoutId, bettorRef });
    const totals = await bettingTotals(pool, bettorRef);
    expect(totals).toEqual({ receivedTiyn: 10_000, paidTiyn: 4_000, stakedTiyn: 3_000, winningsTiyn: 1_850 });
    expect(await bettorBalance(pool, bettorRef)).toBe(
      totals.receivedTiyn - totals.paidTiyn - totals.stakedTiyn + totals.winningsTiyn,
    );
  });

  it('keeps the books balanced, posted and pending', async () => {
    const { rows } = await pool.query(
      'SELECT sum(debits_posted) AS dp, sum(credits_posted) AS cp, sum(debits_pending) AS dq, sum(credits_pending) AS cq FROM ledger_accounts',
    );
    expect(rows[0].dp).toBe(rows[0].cp);
    expect(rows[0].dq).toBe(rows[0].cq);
    const { rows: open } = await pool.query(
      "SELECT coalesce(sum(amount_tiyn), 0)::bigint AS open FROM ledger_pending_transfers WHERE status = 'PENDING'",
    );
    expect(open[0].open).toBe(Number(rows[0].dq));
  });
});
