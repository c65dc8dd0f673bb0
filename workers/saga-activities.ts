import type { Client } from '@temporalio/client';
import { createAfmActivities } from '../activities/afm.js';
import { createBettingLedgerActivities } from '../activities/betting-ledger.js';
import { createBettorGateActivities } from '../activities/bettor-gate.js';
import { createDetectorActivities } from '../activities/detectors.js';
import { createEsuActivities } from '../activities/esu.js';
import { createEsuSubmissionActivities } from '../activities/esu-submissions.js';
import { createIdentificationActivities } from '../activities/identification.js';
import { createIdentificationStoreActivities } from '../activities/identification-store.js';
import { createIncidentDeliveryActivities } from '../activities/incident-delivery.js';
import { createIncidentStoreActivities } from '../activities/incidents.js';
import { createJournalActivities } from '../activities/journal.js';
import { createLedgerActivities } from '../activities/ledger.js';
import { createMigrationActivities } from '../activities/migration.js';
import { createNomapayActivities } from '../activities/nomapay.js';
import { createOperationRegistryActivities } from '../activities/operation-registry.js';
import { createSubmissionStartActivities } from '../activities/submission-start.js';
import { createMoneyFlowReportActivities } from '../activities/money-flow-report.js';
import {
  createSubmissionCalendarActivities,
  createSubmissionStoreActivities,
  type SubmissionCalendarDeps,
} from '../activities/submissions.js';
import { createVerdictStoreActivities } from '../activities/verdicts.js';
import type { DocumentSigner } from '../crypto/signer.js';
import { createConsentSigner } from '../activities/consent-signer.js';
import type { CounterpartClient } from '../activities/http.js';
import { createPgPhotoStore } from '../activities/photo-store.js';
import { createReconciliationActivities } from '../activities/reconciliation.js';
import { createRetentionActivities } from '../activities/retention.js';
import { bettorRef } from '../crypto/bettor-ref.js';
import type { Pool } from '../db/pool.js';

/** What the saga worker's activities are built from: its connections and the configuration they need. */
export interface SagaActivityDeps extends SubmissionCalendarDeps {
  pool: Pool;
  esu: CounterpartClient;
  nomapay: CounterpartClient;
  /** Nomapay's identification API (the ЦОИД participant). */
  tsoid: CounterpartClient;
  /** AFM's submission API (AFM order No. 9). */
  afm: CounterpartClient;
  /** BETTOR_IDENTIFICATION_REQUIRED: deposits and bets only from identified bettors. */
  identificationRequired: boolean;
  /** BETTOR_REF_KEY: the worker derives bettor references and request digests itself. */
  bettorRefKey: string;
  /** The bookmaker's one key for every signed document (AFM submissions, incident cards, consent confirmations). */
  signer: DocumentSigner;
  /** How the bookmaker is known to AFM (AFM_SENDER) and to the receivers of incident cards (INCIDENT_SENDER). */
  afmSender: string;
  incidentSender: string;
  /** The sagas start their regulator submissions themselves (a local activity), through this client. */
  client: Client;
  taskQueue: string;
}

/** Every activity the saga worker registers: each factory's result, each built from what it needs. */
export function createSagaActivities(d: SagaActivityDeps) {
  const { pool, esu, nomapay, afm, signer, calendar } = d;
  const afmActivities = createAfmActivities({ afm, signer, sender: d.afmSender });
  const calendarActivities = createSubmissionCalendarActivities({
    calendar,
    maintenance: d.maintenance,
    policy: d.policy,
  });
  return {
    // The money sagas: ESU, the e-wallet, the ledger and journal, the bettor gate, the operation registry.
    ...createEsuActivities({ esu }),
    ...createNomapayActivities({ nomapay }),
    ...createLedgerActivities({ pool }),
    ...createJournalActivities({ pool }),
    ...createBettorGateActivities({ pool, identificationRequired: d.identificationRequired }),
    ...createOperationRegistryActivities({ pool, bettorRefKey: d.bettorRefKey }),
    // Bets, settlements and payouts: the betting ledger.
    ...createBettingLedgerActivities({ pool }),
    // Identification and migration.
    ...createIdentificationActivities({
      tsoid: d.tsoid,
      esu,
      nomapay,
      pool,
      consentSigner: createConsentSigner(signer),
      photos: createPgPhotoStore(pool),
    }),
    ...createIdentificationStoreActivities({ pool }),
    ...createMigrationActivities({ pool, bettorRef: (iin) => bettorRef(iin, d.bettorRefKey) }),
    // Incidents: the store, card delivery (to Nomapay and to ЦМААИ through ESU's endpoint) and the detectors.
    ...createIncidentStoreActivities({ pool }),
    ...createIncidentDeliveryActivities({ receivers: { nomapay, esu }, signer, sender: d.incidentSender }),
    ...createDetectorActivities({ pool }),
    // Regulator submissions: AFM, corrected ESU records, the submissions store, the calendar, AFM's verdicts.
    ...afmActivities,
    ...createEsuSubmissionActivities({ esu }),
    ...createSubmissionStoreActivities({ pool }),
    ...calendarActivities,
    ...createVerdictStoreActivities({ pool }),
    ...createRetentionActivities({ pool }),
    ...createReconciliationActivities({ pool, esu, nomapay, afm, calendar }),
    ...createSubmissionStartActivities({ client: d.client, taskQueue: d.taskQueue }),
    // A deposit's and a payout's AFM report: its first round sent by the saga, the rest by its submission workflow.
    ...createMoneyFlowReportActivities({
      pool,
      afm: afmActivities,
      calendar: calendarActivities,
      client: d.client,
      taskQueue: d.taskQueue,
    }),
  };
}
