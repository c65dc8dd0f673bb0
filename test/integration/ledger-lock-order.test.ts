import { describe, expect, it } from 'vitest';
import { Accounts } from '../../store/ledger.js';
import { bettingTotals } from '../../store/betting-ledger.js';
import { settlementAmounts, type BetResult } from '../../domain/bet.js';
import { uniqueId } from '../support/ids.js';
import { pool, ledger, betting, esuReceipt, fundedBettor, useLedger, stakeReservation } from '../support/ledger.js';

/**
 * Every ledger transaction of one bettor touches the bettor's account and one or two shared accounts
 * (wallet-clearing, stakes-held, bookmaker-revenue). Run concurrently, they only stay clear of deadlocks
 * (SQLSTATE 40P01) when they all lock those rows in one order. This drives the real activities, many at once,
 * on a single bettor: deposits and their reversals, payouts posted and released, stakes voided, and bets
 * accepted and settled.
 */
useLedger(16);

const DEADLOCK_DETECTED = '40P01';
const RESULTS: BetResult[] = ['WON', 'LOST', 'VOID'];

/** What the chains that completed moved, so the books can be checked against it afterwards. */
interface Moved {
  received: number;
  paid: number;
  staked: number;
  winnings: number;
  credited: number;
}

describe('one lock order for every ledger operation', () => {
  it('runs 150 mixed operations on one bettor concurrently without a deadlock, and the balance adds up', async () => {
    const funding = 10_000_000;
    const bettorRef = await fundedBettor(funding);
    const moved: Moved = { received: funding, paid: 0, staked: 0, winnings: 0, credited: 0 };
    let operations = 0;
    const failed: Array<{ step: string; code?: string; message: string }> = [];
    const op = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
      try {
        const result = await fn();
        operations += 1;
        return result;
      } catch (err) {
        failed.push({ step, code: (err as { code?: string }).code, message: (err as Error).message });
        throw err;
      }
    };

    const deposit = (i: number) => async () => {
      const depositId = uniqueId('dep');
      const amountTiyn = 1_000 + i;
      await op('creditDeposit', () => ledger.creditDeposit({ depositId, bettorRef, amountTiyn }));
      moved.received += amountTiyn;
      if (i % 2 === 0) {
        await op('reverseDepositCredit', () => ledger.reverseDepositCredit({ depositId, bettorRef, amountTiyn }));
        moved.received -= amountTiyn;
      }
    };
    const payout = (i: number) => async () => {
      const payoutId = uniqueId('pay');
      const amountTiyn = 500 + i;
      await op('reservePayout', () => betting.reservePayout({ payoutId, bettorRef, amountTiyn }));
      if (i % 2 === 0) {
        await op('postPayout', () => betting.postPayout({ payoutId, bettorRef }));
        moved.paid += amountTiyn;
      } else {
        await op('releasePayout', () => betting.releasePayout({ payoutId, bettorRef }));
      }
    };
    const placed = (stakeTiyn: number) => stakeReservation(bettorRef, { eventId: 'evt-lock-order', stakeTiyn });
    const voidedStake = (i: number) => async () => {
      const bet = placed(300 + i);
      await op('reserveStake', () => betting.reserveStake(bet));
      await op('voidStake', () => betting.voidStake({ betId: bet.betId }));
    };
    const settledBet = (i: number) => async () => {
      const bet = placed(400 + i);
      const result = RESULTS[i % RESULTS.length]!;
      const amounts = settlementAmounts(bet.stakeTiyn, bet.odds, result);
      await op('reserveStake', () => betting.reserveStake(bet));
      await op('acceptBet', () => betting.acceptBet(esuReceipt(bet.betId)));
      moved.staked += bet.stakeTiyn;
      await op('settleBetInLedger', () =>
        betting.settleBetInLedger({
          betId: bet.betId,
          operationId: uniqueId('stl'),
          result,
          winningsTiyn: amounts.winningsTiyn,
        }),
      );
      moved.winnings += amounts.winningsTiyn;
      moved.credited += amounts.creditedTiyn;
    };

    // 20 deposits (10 reversed), 15 payouts, 15 voided stakes and 20 settled bets: 150 operations, interleaved by kind.
    const chains: Array<() => Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      chains.push(deposit(i), settledBet(i));
      if (i < 15) chains.push(payout(i), voidedStake(i));
    }
    await Promise.allSettled(chains.map((chain) => chain()));

    expect(failed.filter((f) => f.code === DEADLOCK_DETECTED).map((f) => f.step)).toEqual([]);
    expect(failed).toEqual([]);
    expect(operations).toBe(150);

    const { rows } = await pool.query(
      'SELECT debits_posted, credits_posted, debits_pending, credits_pending FROM ledger_accounts WHERE id = $1',
      [Accounts.bettor(bettorRef)],
    );
    const account = rows[0];
    expect(account.debits_pending).toBe(0);
    expect(account.credits_pending).toBe(0);
    expect(account.credits_posted - account.debits_posted).toBe(
      moved.received - moved.paid - moved.staked + moved.credited,
    );
    expect(await bettingTotals(pool, bettorRef)).toEqual({
      receivedTiyn: moved.received,
      paidTiyn: moved.paid,
      stakedTiyn: moved.staked,
      winningsTiyn: moved.winnings,
    });
    const checked = await pool.query('SELECT consistent FROM bettor_totals_check WHERE bettor_ref = $1', [bettorRef]);
    expect(checked.rows).toEqual([{ consistent: true }]);

    const books = await pool.query(
      'SELECT sum(debits_posted) AS d, sum(credits_posted) AS c, sum(debits_pending) AS dp, sum(credits_pending) AS cp FROM ledger_accounts',
    );
    expect(books.rows[0].d).toBe(books.rows[0].c);
    expect(books.rows[0].dp).toBe(books.rows[0].cp);
  });
});
