import { afterAll, beforeAll, inject } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger.js';
import { createBettingLedgerActivities, type StakeReservation } from '../../activities/betting-ledger.js';
import { createPool, type Pool } from '../../db/pool.js';
import { adultIin, uniqueId } from './ids.js';

/**
 * The ledger's activities over a pool on the suite's (migrated) database, set by `useLedger()` before the file's first
 * test (live bindings: read them inside tests and hooks, not at the file's top level).
 */
export let pool: Pool;
export let ledger: ReturnType<typeof createLedgerActivities>;
export let betting: ReturnType<typeof createBettingLedgerActivities>;

/** Opens the file's pool of `poolSize` connections before its tests and ends it after them. */
export function useLedger(poolSize: number): void {
  beforeAll(() => {
    pool = createPool(inject('databaseUrl'), poolSize);
    ledger = createLedgerActivities({ pool });
    betting = createBettingLedgerActivities({ pool });
  });
  afterAll(async () => pool?.end());
}

/** A bettor reference of its own for one test: the ledger's accounts are per bettor, and the database is shared. */
export const newBettorRef = () => uniqueId('ref').padEnd(64, '0');

/** The legs the ledger posted for an operation, by leg: what a posting or its undoing wrote. */
export async function legsOf(operationId: string): Promise<{ leg: string; amount_tiyn: number }[]> {
  const { rows } = await pool.query(
    'SELECT leg, amount_tiyn FROM ledger_transfers WHERE operation_id = $1 ORDER BY leg',
    [operationId],
  );
  return rows;
}

/** A new bettor (`newBettorRef`) with one deposit of `amountTiyn` credited: a balance to stake or pay out from. */
export async function fundedBettor(amountTiyn: number): Promise<string> {
  const bettorRef = newBettorRef();
  await ledger.creditDeposit({ depositId: uniqueId('dep'), bettorRef, amountTiyn });
  return bettorRef;
}

/** A stake to reserve for this bettor on a bet of its own (333 tiyn on HOME at 2.35 unless overridden). */
export function stakeReservation(bettorRef: string, overrides: Partial<StakeReservation> = {}): StakeReservation {
  const betId = uniqueId('bet');
  return {
    betId,
    workflowId: `Bet:${betId}`,
    bettorRef,
    iin: adultIin(),
    eventId: 'evt-1',
    outcome: 'HOME',
    odds: '2.35',
    stakeTiyn: 333,
    ...overrides,
  };
}

/** ESU's receipt of a reserved stake's bet, as the bet saga hands it to `acceptBet`: `ESU-<betId>`, at a fixed time. */
export const esuReceipt = (betId: string) => ({
  betId,
  esuReceiptId: `ESU-${betId}`,
  acceptedAt: '2026-11-20T05:00:00.000Z',
});

/** Reserves the stake and accepts its bet on ESU's receipt (`esuReceipt`), as the bet saga does; answers the stake. */
export async function reserveAndAccept(
  reservation: StakeReservation,
  activities: Pick<typeof betting, 'reserveStake' | 'acceptBet'> = betting,
): Promise<StakeReservation> {
  await activities.reserveStake(reservation);
  await activities.acceptBet(esuReceipt(reservation.betId));
  return reservation;
}
