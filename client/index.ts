import type { Client } from '@temporalio/client';
import { DepositRequest, type DepositState } from '../domain/deposit.js';
import { depositWorkflowId } from '../domain/ids.js';
import { deposit, getDepositStatusQuery } from '../workflows/deposit.js';
import { bettorRef } from './bettor-ref.js';
import { moneySaga, type OperationHandle } from './operations.js';
import { createBettingClient } from './betting.js';
import { createIdentificationClient } from './identification.js';
import { createMigrationClient } from './migration.js';
import { createIncidentClient } from './incidents.js';
import { createSubmissionClient } from './submissions.js';
import { startReconciliation } from './reconciliation.js';
import type { IncidentTiming } from '../domain/incident-deadlines.js';
import { EncryptionCodec } from '../codec/encryption.js';

export * from './errors.js';
export { bettorRef } from './bettor-ref.js';
export type { OperationHandle } from './operations.js';
export { readBet, bettingTotals, bettorBalance } from './betting.js';
export { StepRejectedError, type IdentificationHandle } from './identification.js';
export type { MigrationHandle } from './migration.js';
export { incidentWorkflowId, newIncidentId, type IncidentHandle, type OpenIncidentRequest } from './incidents.js';
export type { SubmissionHandle } from './submissions.js';
/** What deposit and bet sagas (and bookmaker services holding the pool) read: the bettor's identification status. */
export { readBettorIdentification } from '../store/identification.js';

export interface EsuBridgeClientOptions {
  client: Client;
  taskQueue: string;
  /** Secret key of the bettor reference HMAC (BETTOR_REF_KEY). */
  bettorRefKey: string;
  /** Reminder points and internal target of incident cards (INCIDENT_REMINDERS, INCIDENT_INTERNAL_TARGET). */
  incidentTiming?: IncidentTiming;
  /** The clock of the client's own age check (tests pin it); the current time by default. */
  now?: () => Date;
}

/**
 * What bookmaker services import to start operations. Every start validates first (a bad request is an
 * InvalidRequestError naming the field, and nothing starts), is idempotent by the caller's id, and
 * tells a replay (same id, same body: joins the run) from a conflict (same id, other body). Refuses a
 * Temporal client without esu-bridge's encryption codec.
 */
export function createEsuBridgeClient({
  client,
  taskQueue,
  bettorRefKey,
  incidentTiming,
  now = () => new Date(),
}: EsuBridgeClientOptions) {
  // Requests carry IINs, names and phones: without the codec they would reach Temporal's database in clear.
  if (!client.options.loadedDataConverter.payloadCodecs.some((codec) => EncryptionCodec.is(codec))) {
    throw new TypeError(
      "createEsuBridgeClient needs a Temporal Client whose dataConverter.payloadCodecs include esu-bridge's EncryptionCodec (codec/encryption.ts; connectClient() builds one): personal data must never reach Temporal in clear",
    );
  }
  const deposits = moneySaga(
    { client, taskQueue, bettorRefKey, now },
    {
      name: 'deposit',
      kind: 'DEPOSIT',
      request: DepositRequest,
      workflowId: depositWorkflowId,
      idField: 'depositId',
      amountField: 'amountTiyn',
      adultsOnly: true,
      workflow: deposit,
      statusQuery: getDepositStatusQuery,
    },
  );
  return {
    /** Starts a deposit (or joins the one already started with this `depositId`). */
    startDeposit: deposits.start,

    /** Starts a deposit and waits for its end. */
    deposit: deposits.run,

    /** The current state of a deposit by its id. */
    getDeposit: deposits.get,

    /** The bettor reference ops use to filter runs in the Temporal UI (`BettorRef = "<ref>"`). */
    bettorRef: (iin: string) => bettorRef(iin, bettorRefKey),

    // Bettor identification (startIdentification, identification) and bulk migration (startMigration, migration).
    ...createIdentificationClient({ client, taskQueue, bettorRefKey }),
    ...createMigrationClient({ client, taskQueue }),
    // Information-security incidents and their 48-hour card (openIncident, incident).
    ...createIncidentClient({ client, taskQueue, timing: incidentTiming }),
    // Regulator submissions (startSubmission, getSubmission, retrySubmission, resubmitSubmission).
    ...createSubmissionClient({ client, taskQueue }),
    // Bets, settlements and payouts (startBet, placeBet, getBet, startSettlement, settleBet, getSettlement, startPayout, payout, getPayout).
    ...createBettingClient({ client, taskQueue, bettorRefKey, now }),
    // The daily reconciliation of one Almaty day, on demand (issue 13).
    startReconciliation: (day: string, options?: { graceMinutes?: number }) =>
      startReconciliation(client, taskQueue, day, options),
  };
}

export type EsuBridgeClient = ReturnType<typeof createEsuBridgeClient>;
