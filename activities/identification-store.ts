import type { Pool } from '../db/pool.js';
import {
  journalIdentificationEvent,
  readBettorIdentification,
  recordConsentRevocation,
  recordIdentificationStep,
  type BettorStatusSnapshot,
  type JournalEntry,
} from '../store/identification.js';

export type { BettorIdentificationRecord, BettorStatusSnapshot, JournalEntry } from '../store/identification.js';

/** The identification's local activities over its PostgreSQL side (store/identification.ts). */
export function createIdentificationStoreActivities({ pool }: { pool: Pool }) {
  return {
    /** Journals one identification step and moves the bettor's status, in one transaction. */
    recordIdentificationStep: (step: { entry: JournalEntry; status: BettorStatusSnapshot }): Promise<void> =>
      recordIdentificationStep(pool, step),

    /** Journals an event that changes no bettor's status (a migration's start, pause, resume, cancel, end). */
    journalEvent: (entry: JournalEntry): Promise<void> => journalIdentificationEvent(pool, entry),

    /** A consent revoked after the identification ended (store/identification.ts recordConsentRevocation). */
    recordConsentRevocation: (revocation: { entry: JournalEntry; bettorId: string; revokedAt: string }) =>
      recordConsentRevocation(pool, revocation),

    /** The bettor's stored status, read when an identification starts so a finished one is not redone. */
    readBettorIdentification: ({ bettorId }: { bettorId: string }) => readBettorIdentification(pool, { bettorId }),
  };
}

export type IdentificationStoreActivities = ReturnType<typeof createIdentificationStoreActivities>;
