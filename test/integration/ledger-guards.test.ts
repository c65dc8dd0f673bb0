import { describe, expect, it } from 'vitest';
import { uniqueId } from '../support/ids.js';
import {
  pool,
  ledger,
  betting,
  esuReceipt,
  fundedBettor,
  legsOf,
  newBettorRef,
  reserveAndAccept,
  useLedger,
  stakeReservation,
} from '../support/ledger.js';

/**
 * The ledger's history is append-only in the database itself (db/migrations/008_ledger_guards.sql), whoever
 * connects: a transfer once written stays as written, a reservation only ever resolves once, and the running
 * totals cannot go negative. The totals are checked against the transfers by `bettor_totals_check`.
 */
useLedger(8);

/** Runs a statement in a transaction that is always rolled back, and answers the error it raised, if any. */
async function attempt(
  sql: string,
  args: unknown[] = [],
): Promise<{ code?: string; message: string; constraint?: string } | undefined> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    await db.query(sql, args);
    return undefined;
  } catch (err) {
    return err as { code?: string; message: string; constraint?: string };
  } finally {
    await db.query('ROLLBACK');
    db.release();
  }
}

const stake = (bettorRef: string, stakeTiyn = 400) =>
  stakeReservation(bettorRef, { eventId: 'evt-guards', odds: '2.50', stakeTiyn });

async function check(bettorRef: string) {
  const { rows } = await pool.query('SELECT * FROM bettor_totals_check WHERE bettor_ref = $1', [bettorRef]);
  return rows[0];
}

describe('append-only ledger history', () => {
  it('refuses to change, delete or truncate a posted transfer or a tombstone', async () => {
    const bettorRef = newBettorRef();
    const depositId = uniqueId('dep');
    const { transferId } = await ledger.creditDeposit({ depositId, bettorRef, amountTiyn: 5_000 });

    expect((await attempt('UPDATE ledger_transfers SET amount_tiyn = 1 WHERE id = $1', [transferId]))?.message).toMatch(
      /append-only.*UPDATE/,
    );
    expect(
      (await attempt('UPDATE ledger_transfers SET created_at = now() WHERE id = $1', [transferId]))?.message,
    ).toMatch(/append-only/);
    expect((await attempt('DELETE FROM ledger_transfers WHERE id = $1', [transferId]))?.message).toMatch(
      /append-only.*DELETE/,
    );
    expect((await attempt('TRUNCATE ledger_transfers'))?.message).toMatch(/append-only.*TRUNCATE/);
    const neverPosted = uniqueId('dep');
    expect(await ledger.reverseDepositCredit({ depositId: neverPosted, bettorRef, amountTiyn: 1 })).toBe(
      'NOTHING_TO_UNDO',
    );
    expect(
      (await attempt('DELETE FROM ledger_tombstones WHERE transfer_id = $1', [`${neverPosted}:credit`]))?.message,
    ).toMatch(/append-only.*DELETE/);
    expect((await attempt('TRUNCATE ledger_tombstones'))?.message).toMatch(/append-only.*TRUNCATE/);

    // Undoing still works the only way the ledger allows: a mirror transfer.
    expect(await ledger.reverseDepositCredit({ depositId, bettorRef, amountTiyn: 5_000 })).toBe('REVERSED');
    expect(await legsOf(depositId)).toEqual([
      { leg: 'credit', amount_tiyn: 5_000 },
      { leg: 'credit-reversal', amount_tiyn: 5_000 },
    ]);
  });

  it('lets a reservation resolve once, from PENDING to POSTED or VOIDED, and nothing else', async () => {
    const bettorRef = await fundedBettor(5_000);
    const posted = stake(bettorRef);
    const voided = stake(bettorRef);
    const { reservationId } = await betting.reserveStake(posted);
    await betting.reserveStake(voided);

    expect(
      (await attempt('UPDATE ledger_pending_transfers SET amount_tiyn = 1 WHERE id = $1', [reservationId]))?.message,
    ).toMatch(/reservation/);
    expect(
      (
        await attempt(`UPDATE ledger_pending_transfers SET debit_account_id = 'wallet-clearing' WHERE id = $1`, [
          reservationId,
        ])
      )?.message,
    ).toMatch(/reservation/);
    expect(
      (await attempt(`UPDATE ledger_pending_transfers SET status = 'POSTED' WHERE id = $1`, [reservationId]))?.message,
    ).toMatch(/resolved_at/);
    expect((await attempt('DELETE FROM ledger_pending_transfers WHERE id = $1', [reservationId]))?.message).toMatch(
      /append-only.*DELETE/,
    );
    expect((await attempt('TRUNCATE ledger_pending_transfers'))?.message).toMatch(/append-only.*TRUNCATE/);

    // The ledger's own resolutions still go through.
    expect(await betting.acceptBet(esuReceipt(posted.betId))).toMatchObject({ outcome: 'POSTED' });
    expect(await betting.voidStake({ betId: voided.betId })).toBe('VOIDED');
    const payoutId = uniqueId('pay');
    await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 700 });
    expect(await betting.postPayout({ payoutId, bettorRef })).toMatchObject({ outcome: 'POSTED' });
    const released = uniqueId('pay');
    await betting.reservePayout({ payoutId: released, bettorRef, amountTiyn: 300 });
    expect(await betting.releasePayout({ payoutId: released, bettorRef })).toBe('VOIDED');

    // A resolved reservation stays resolved.
    for (const status of ['PENDING', 'VOIDED']) {
      expect(
        (
          await attempt('UPDATE ledger_pending_transfers SET status = $2, resolved_at = now() WHERE id = $1', [
            reservationId,
            status,
          ])
        )?.message,
      ).toMatch(/resolved/);
    }
    expect(
      (await attempt('UPDATE ledger_pending_transfers SET resolved_at = now() WHERE id = $1', [reservationId]))
        ?.message,
    ).toMatch(/resolved/);
  });
});

describe('running totals', () => {
  it('can never hold a negative amount or count', async () => {
    const bettorRef = await fundedBettor(1_000);
    for (const column of ['received_tiyn', 'paid_tiyn', 'staked_tiyn', 'winnings_tiyn', 'operations']) {
      const err = await attempt(`UPDATE bettor_totals SET ${column} = -1 WHERE bettor_ref = $1`, [bettorRef]);
      expect(err, column).toMatchObject({ code: '23514', constraint: `bettor_totals_${column}_not_negative` });
    }
  });

  it('agree with the transfers, and the check finds a tampered total', async () => {
    const bettorRef = newBettorRef();
    const reversed = uniqueId('dep');
    await ledger.creditDeposit({ depositId: uniqueId('dep'), bettorRef, amountTiyn: 10_000 });
    await ledger.creditDeposit({ depositId: reversed, bettorRef, amountTiyn: 2_000 });
    await ledger.reverseDepositCredit({ depositId: reversed, bettorRef, amountTiyn: 2_000 });
    for (const result of ['WON', 'LOST', 'VOID'] as const) {
      const bet = await reserveAndAccept(stake(bettorRef, 1_000));
      await betting.settleBetInLedger({
        betId: bet.betId,
        operationId: uniqueId('stl'),
        result,
        winningsTiyn: result === 'WON' ? 2_500 : 0,
      });
    }
    const voided = stake(bettorRef);
    await betting.reserveStake(voided);
    await betting.voidStake({ betId: voided.betId });
    const payoutId = uniqueId('pay');
    await betting.reservePayout({ payoutId, bettorRef, amountTiyn: 3_000 });
    await betting.postPayout({ payoutId, bettorRef });

    const agreed = {
      bettor_ref: bettorRef,
      received_tiyn: 10_000,
      expected_received_tiyn: 10_000,
      paid_tiyn: 3_000,
      expected_paid_tiyn: 3_000,
      staked_tiyn: 3_000,
      expected_staked_tiyn: 3_000,
      winnings_tiyn: 2_500,
      expected_winnings_tiyn: 2_500,
      // 2 deposits − 1 reversal + 3 stakes + 3 settlements + 1 payout
      operations: 8,
      expected_operations: 8,
      consistent: true,
    };
    expect(await check(bettorRef)).toEqual(agreed);

    await pool.query(
      'UPDATE bettor_totals SET received_tiyn = received_tiyn + 100, operations = operations + 1 WHERE bettor_ref = $1',
      [bettorRef],
    );
    try {
      expect(await check(bettorRef)).toEqual({ ...agreed, received_tiyn: 10_100, operations: 9, consistent: false });
      const { rows } = await pool.query('SELECT bettor_ref FROM bettor_totals_check WHERE NOT consistent');
      expect(rows.map((r) => r.bettor_ref)).toContain(bettorRef);
    } finally {
      await pool.query(
        'UPDATE bettor_totals SET received_tiyn = received_tiyn - 100, operations = operations - 1 WHERE bettor_ref = $1',
        [bettorRef],
      );
    }
    expect(await check(bettorRef)).toEqual(agreed);
  });

  it('are checked for a bettor whose totals row is missing, against what the transfers say', async () => {
    const bettorRef = await fundedBettor(1_234);
    const db = await pool.connect();
    try {
      await db.query('BEGIN');
      await db.query('DELETE FROM bettor_totals WHERE bettor_ref = $1', [bettorRef]);
      const { rows } = await db.query(
        'SELECT received_tiyn, expected_received_tiyn, operations, expected_operations, consistent FROM bettor_totals_check WHERE bettor_ref = $1',
        [bettorRef],
      );
      expect(rows).toEqual([
        { received_tiyn: 0, expected_received_tiyn: 1_234, operations: 0, expected_operations: 1, consistent: false },
      ]);
    } finally {
      await db.query('ROLLBACK');
      db.release();
    }
  });
});
