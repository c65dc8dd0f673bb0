import { inTransaction, type Pool } from '../db/pool.js';
import type { BettorIdentificationStatus, IdentificationMethod } from '../domain/identification.js';
import { appendJournal, type Queryable } from './journal.js';

/**
 * The identification's PostgreSQL side: the bettor's status (what the deposit and bet sagas' gate reads,
 * activities/bettor-gate.ts, and the client) and the event journal with the attributes of National Bank resolution No. 116 §55.11 (start, event, acting
 * user, record id, end, result). Both are written by one short local activity per step, in one transaction.
 */
export interface JournalEntry {
  /** Record id: the bettor id for identifications, the migration id for migrations. */
  recordId: string;
  event: string;
  result: 'OK' | 'REFUSED' | 'REJECTED' | 'FAILED' | 'ESCALATED';
  actor: string;
  /** Epoch ms (workflow time) when the step began; the end is when the row is written. */
  startedAtMs: number;
  /** Unique per journal entry (`<workflowId>:<runId>:<seq>`): a local activity run twice writes once. */
  dedupeKey: string;
  details?: Record<string, unknown>;
}

export interface BettorStatusSnapshot {
  bettorId: string;
  bettorRef?: string;
  workflowId: string;
  status: BettorIdentificationStatus;
  step: string;
  method?: IdentificationMethod;
  blockedUntil?: string;
  reason?: string;
  consentId?: string;
  consentGivenAt?: string;
  consentRevokedAt?: string;
  esuRegistrationId?: string;
  walletId?: string;
  identifiedAt?: string;
}

export interface BettorIdentificationRecord {
  bettorId: string;
  bettorRef: string | null;
  status: BettorIdentificationStatus;
  method: IdentificationMethod | null;
  blockedUntil: string | null;
  reason: string | null;
  identifiedAt: string | null;
  walletId: string | null;
  esuRegistrationId: string | null;
  /** Set once the bettor revoked consent (§§26–27, 31), during the identification or after it. */
  consentRevokedAt: string | null;
}

async function insertJournal(db: Queryable, e: JournalEntry): Promise<boolean> {
  const { recordId, event, result, actor, startedAtMs, dedupeKey, details } = e;
  const id = await appendJournal(db, { recordId, event, result, actor, startedAt: startedAtMs, dedupeKey, details });
  return id !== undefined;
}

/** Journals one identification step and moves the bettor's status, in one transaction. */
export async function recordIdentificationStep(
  pool: Pool,
  { entry, status }: { entry: JournalEntry; status: BettorStatusSnapshot },
): Promise<void> {
  await inTransaction(pool, async (db) => {
    if (!(await insertJournal(db, entry))) return;
    const s = status;
    await db.query(
      `INSERT INTO bettor_identifications (bettor_id, bettor_ref, workflow_id, status, step, method, blocked_until, reason,
             consent_id, consent_given_at, consent_revoked_at, esu_registration_id, wallet_id, identified_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (bettor_id) DO UPDATE SET
             bettor_ref = COALESCE(EXCLUDED.bettor_ref, bettor_identifications.bettor_ref),
             workflow_id = EXCLUDED.workflow_id, status = EXCLUDED.status, step = EXCLUDED.step,
             method = EXCLUDED.method, blocked_until = EXCLUDED.blocked_until, reason = EXCLUDED.reason,
             consent_id = EXCLUDED.consent_id, consent_given_at = EXCLUDED.consent_given_at,
             consent_revoked_at = EXCLUDED.consent_revoked_at,
             esu_registration_id = COALESCE(EXCLUDED.esu_registration_id, bettor_identifications.esu_registration_id),
             wallet_id = COALESCE(EXCLUDED.wallet_id, bettor_identifications.wallet_id),
             identified_at = EXCLUDED.identified_at, updated_at = now()`,
      [
        s.bettorId,
        s.bettorRef ?? null,
        s.workflowId,
        s.status,
        s.step,
        s.method ?? null,
        s.blockedUntil ?? null,
        s.reason ?? null,
        s.consentId ?? null,
        s.consentGivenAt ?? null,
        s.consentRevokedAt ?? null,
        s.esuRegistrationId ?? null,
        s.walletId ?? null,
        s.identifiedAt ?? null,
      ],
    );
  });
}

/** Journals an event that changes no bettor's status (a migration's start, pause, resume, cancel, end). */
export async function journalIdentificationEvent(pool: Pool, entry: JournalEntry): Promise<void> {
  await insertJournal(pool, entry);
}

/**
 * A consent revoked after the identification ended: marks the bettor's record (the gate reads it) and journals
 * it, in one transaction. A second revocation keeps the first time. Answers the consent to relay, if any.
 */
export async function recordConsentRevocation(
  pool: Pool,
  { entry, bettorId, revokedAt }: { entry: JournalEntry; bettorId: string; revokedAt: string },
): Promise<{
  outcome: 'REVOKED' | 'ALREADY_REVOKED' | 'NO_CONSENT';
  consentId?: string;
  revokedAt?: string;
}> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query(
      'SELECT consent_id, consent_revoked_at FROM bettor_identifications WHERE bettor_id = $1 FOR UPDATE',
      [bettorId],
    );
    const row = rows[0] as { consent_id: string | null; consent_revoked_at: Date | null } | undefined;
    if (!row?.consent_id) return { outcome: 'NO_CONSENT' as const };
    if (row.consent_revoked_at)
      return {
        outcome: 'ALREADY_REVOKED' as const,
        consentId: row.consent_id,
        revokedAt: row.consent_revoked_at.toISOString(),
      };
    await insertJournal(db, entry);
    await db.query(
      'UPDATE bettor_identifications SET consent_revoked_at = $2, updated_at = now() WHERE bettor_id = $1',
      [bettorId, revokedAt],
    );
    return { outcome: 'REVOKED' as const, consentId: row.consent_id, revokedAt };
  });
}

/** The columns of a bettor's record, as `toIdentificationRecord` reads them. */
const RECORD_COLUMNS = `bettor_id, bettor_ref, status, method, blocked_until, reason, identified_at, wallet_id, esu_registration_id, consent_revoked_at`;

const iso = (value: Date | string | null): string | null => (value ? new Date(value).toISOString() : null);

function toIdentificationRecord(r: Record<string, unknown>): BettorIdentificationRecord {
  return {
    bettorId: r.bettor_id as string,
    bettorRef: r.bettor_ref as string | null,
    status: r.status as BettorIdentificationStatus,
    method: r.method as IdentificationMethod | null,
    blockedUntil: iso(r.blocked_until as Date | null),
    reason: r.reason as string | null,
    identifiedAt: iso(r.identified_at as Date | null),
    walletId: r.wallet_id as string | null,
    esuRegistrationId: r.esu_registration_id as string | null,
    consentRevokedAt: iso(r.consent_revoked_at as Date | null),
  };
}

/**
 * The read side for sagas, the client and the CLI. By bettor reference, an identified record wins over
 * older unfinished ones (a person identifies once per bookmaker, but may have abandoned attempts).
 */
export async function readBettorIdentification(
  pool: Pool,
  key: { bettorId: string } | { bettorRef: string },
): Promise<BettorIdentificationRecord | undefined> {
  const [where, value] = 'bettorId' in key ? ['bettor_id = $1', key.bettorId] : ['bettor_ref = $1', key.bettorRef];
  const { rows } = await pool.query(
    `SELECT ${RECORD_COLUMNS} FROM bettor_identifications WHERE ${where}
     ORDER BY (status = 'IDENTIFIED') DESC, updated_at DESC LIMIT 1`,
    [value],
  );
  return rows[0] && toIdentificationRecord(rows[0]);
}
