import { createVerdictStoreActivities } from './verdicts.js';
import type { Pool } from '../db/pool.js';
import { createEsuActivities } from './esu.js';
import { createJournalActivities } from './journal.js';
import { createLedgerActivities } from './ledger.js';
import { createNomapayActivities } from './nomapay.js';
import { createBettorGateActivities } from './bettor-gate.js';
import { createOperationRegistryActivities } from './operation-registry.js';
import type { CounterpartClient } from './http.js';
import type { ConsentSigner } from './consent-signer.js';
import { createIdentificationActivities } from './identification.js';
import { createIdentificationStoreActivities } from './identification-store.js';
import { createMigrationActivities } from './migration.js';
import type { PhotoStore } from './photo-store.js';
import { createIncidentStoreActivities } from './incidents.js';
import { createIncidentDeliveryActivities } from './incident-delivery.js';
import type { DocumentSigner } from '../crypto/signer.js';
import { createDetectorActivities } from './detectors.js';
import { createBettingLedgerActivities } from './betting-ledger.js';
import { createAfmActivities } from './afm.js';
import { createEsuSubmissionActivities } from './esu-submissions.js';
import {
  createSubmissionCalendarActivities,
  createSubmissionStoreActivities,
  type SubmissionCalendarDeps,
} from './submissions.js';

export interface ActivityDeps {
  pool: Pool;
  esu: CounterpartClient;
  nomapay: CounterpartClient;
  /** BETTOR_IDENTIFICATION_REQUIRED: deposits and bets only from identified bettors (default true). */
  identificationRequired?: boolean;
  /** BETTOR_REF_KEY: the worker derives bettor references and request digests itself (the operation registry). */
  bettorRefKey: string;
}

/** Every activity the worker registers, built from real connections. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEsuActivities(deps),
    ...createNomapayActivities(deps),
    ...createLedgerActivities(deps),
    ...createJournalActivities(deps),
    ...createBettorGateActivities({ pool: deps.pool, identificationRequired: deps.identificationRequired ?? true }),
    ...createOperationRegistryActivities({ pool: deps.pool, bettorRefKey: deps.bettorRefKey }),
  };
}

export interface IdentificationDeps extends ActivityDeps {
  /** Nomapay's identification API (the ЦОИД participant). */
  tsoid: CounterpartClient;
  consentSigner: ConsentSigner;
  photos: PhotoStore;
  /** The keyed IIN hash (BETTOR_REF_KEY), for migration rows. */
  bettorRef: (iin: string) => string;
}

/**
 * Identification and migration activities. A set of their own, registered next to createActivities, so
 * that typed fakes of the money sagas (ReturnType<typeof createActivities>) do not have to grow with them.
 */
export function createIdentificationActivitySet(deps: IdentificationDeps) {
  return {
    ...createIdentificationActivities(deps),
    ...createIdentificationStoreActivities(deps),
    ...createMigrationActivities(deps),
  };
}

export interface IncidentDeps extends ActivityDeps {
  signer: DocumentSigner;
  /** How the bookmaker is named to the receivers of incident cards (INCIDENT_SENDER). */
  sender: string;
}

/** Incident store, card delivery (to Nomapay and to ЦМААИ through ESU's endpoint) and detectors. */
export function createIncidentActivitySet(deps: IncidentDeps) {
  return {
    ...createIncidentStoreActivities(deps),
    ...createIncidentDeliveryActivities({
      receivers: { nomapay: deps.nomapay, esu: deps.esu },
      signer: deps.signer,
      sender: deps.sender,
    }),
    ...createDetectorActivities(deps),
  };
}

/**
 * Bets, settlements and payouts: the betting ledger (pending stakes and payouts, the bets table). A set of
 * its own so that typed fakes of the deposit saga (ReturnType<typeof createActivities>) stay as they are.
 */
export function createBettingActivitySet(deps: Pick<ActivityDeps, 'pool'>) {
  return {
    ...createBettingLedgerActivities(deps),
  };
}

export interface ReportingDeps extends ActivityDeps, SubmissionCalendarDeps {
  /** AFM's submission API (AFM order No. 9). */
  afm: CounterpartClient;
  /** The bookmaker's document signer (SIGNING_PKCS12_PATH), and how the bookmaker is known to AFM (AFM_SENDER). */
  signer: DocumentSigner;
  afmSender: string;
}

/**
 * Regulator submissions: the AFM connector, corrected ESU records, the submissions store and the working-day
 * calendar. A set of its own so that typed fakes of the money sagas (ReturnType<typeof createActivities>) stay as they are.
 */
export function createReportingActivitySet(deps: ReportingDeps) {
  return {
    ...createAfmActivities({ afm: deps.afm, signer: deps.signer, sender: deps.afmSender }),
    ...createEsuSubmissionActivities(deps),
    ...createSubmissionStoreActivities(deps),
    ...createSubmissionCalendarActivities(deps),
    ...createVerdictStoreActivities(deps),
  };
}
