import type { BettorIdentificationStatus } from '../domain/identification.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { recordStepsWithin, type StepRecord } from '../store/journal.js';
import { readBettorIdentification } from '../store/identification.js';

export interface BettorGateAnswer {
  /** May this bettor's money move (a deposit) or be staked (a bet)? */
  allowed: boolean;
  /** The stored identification status, `UNKNOWN` when the bettor never started one, `NOT_REQUIRED` when the gate is off. */
  status: BettorIdentificationStatus | 'UNKNOWN' | 'NOT_REQUIRED' | 'CONSENT_REVOKED';
  blockedUntil?: string;
}

/**
 * The identification gate of the deposit and bet sagas: since 2026 a bookmaker takes payments only from
 * bettors identified through Nomapay as its agent (the ESU integration plan, items 6–7), and the identification workflow
 * keeps each bettor's status in PostgreSQL. `identificationRequired` is off only where bettors are known to
 * be identified elsewhere (benchmarks, a migration still under way with the operator's written consent).
 */
export function createBettorGateActivities({
  pool,
  identificationRequired,
}: {
  pool: Pool;
  identificationRequired: boolean;
}) {
  return {
    /** `stepsIfAllowed`: the saga's next steps, journalled only when the bettor may go on. */
    async checkBettorIdentified({
      bettorRef,
      stepsIfAllowed,
    }: {
      bettorRef: string;
      stepsIfAllowed?: StepRecord[];
    }): Promise<BettorGateAnswer> {
      const answer = await gateAnswer(bettorRef);
      if (answer.allowed && stepsIfAllowed?.length)
        await inTransaction(pool, (db) => recordStepsWithin(db, stepsIfAllowed));
      return answer;
    },
  };

  async function gateAnswer(bettorRef: string): Promise<BettorGateAnswer> {
    if (!identificationRequired) return { allowed: true, status: 'NOT_REQUIRED' };
    const record = await readBettorIdentification(pool, { bettorRef });
    if (!record) return { allowed: false, status: 'UNKNOWN' };
    // A revoked consent (§§26–27, 31) ends what the identification allowed: no new deposit or stake until the
    // bettor consents again and is identified anew. Payouts do not pass this gate: their balance stays theirs.
    if (record.consentRevokedAt) return { allowed: false, status: 'CONSENT_REVOKED' };
    return {
      allowed: record.status === 'IDENTIFIED',
      status: record.status,
      ...(record.blockedUntil ? { blockedUntil: record.blockedUntil } : {}),
    };
  }
}

export type BettorGateActivities = ReturnType<typeof createBettorGateActivities>;
