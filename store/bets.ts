import type { BetRecord, BetRecordStatus, BetResult } from '../domain/bet.js';
import type { Pool, PoolClient } from '../db/pool.js';

/** The `bets` table: what a settlement reads back (odds and stake as ESU recorded them at acceptance). */
export const BET_COLUMNS = `bet_id, workflow_id, bettor_ref, iin, event_id, outcome, odds, stake_tiyn, status, esu_receipt_id,
  result, winnings_tiyn, settlement_id, placed_at, accepted_at, settled_at`;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function toBetRecord(row: Record<string, unknown>): BetRecord {
  return {
    betId: row.bet_id as string,
    workflowId: row.workflow_id as string,
    bettorRef: row.bettor_ref as string,
    iin: row.iin as string,
    eventId: row.event_id as string,
    outcome: row.outcome as string,
    odds: row.odds as string,
    stakeTiyn: row.stake_tiyn as number,
    status: row.status as BetRecordStatus,
    esuReceiptId: (row.esu_receipt_id as string | null) ?? null,
    result: (row.result as BetResult | null) ?? null,
    winningsTiyn: (row.winnings_tiyn as number | null) ?? null,
    settlementId: (row.settlement_id as string | null) ?? null,
    placedAt: iso(row.placed_at as Date)!,
    acceptedAt: iso(row.accepted_at as Date | null),
    settledAt: iso(row.settled_at as Date | null),
  };
}

export async function selectBet(db: Pool | PoolClient, betId: string, forUpdate = false): Promise<BetRecord | null> {
  const { rows } = await db.query(
    `SELECT ${BET_COLUMNS} FROM bets WHERE bet_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [betId],
  );
  return rows[0] ? toBetRecord(rows[0]) : null;
}

/** Read side for the client, the CLI and tests. */
export const readBet = (pool: Pool, betId: string) => selectBet(pool, betId);
