import { describe, expect, it } from 'vitest';
import { createSagaActivities, type SagaActivityDeps } from '../../workers/saga-activities.js';

/** Connections that are never used: building the activities only closes over them. */
const unused = {} as never;
const deps: SagaActivityDeps = {
  pool: unused,
  esu: unused,
  nomapay: unused,
  tsoid: unused,
  afm: unused,
  identificationRequired: true,
  bettorRefKey: 'k'.repeat(32),
  signer: unused,
  afmSender: 'esu-bridge-bookmaker',
  incidentSender: 'esu-bridge-bookmaker',
  calendar: unused,
  maintenance: unused,
  policy: unused,
  client: unused,
  taskQueue: 'esu-bridge-sagas',
};

describe('the saga worker’s activities', () => {
  it('registers every factory’s activities, in the order the worker always registered them', () => {
    expect(Object.keys(createSagaActivities(deps))).toEqual([
      'checkBettorEligibility',
      'recordOperation',
      'transferWallet',
      'refundWalletTransfer',
      'creditDeposit',
      'reverseDepositCredit',
      'recordStep',
      'recordSteps',
      'checkBettorIdentified',
      'registerOperation',
      'finishOperation',
      'reserveStake',
      'acceptBet',
      'voidStake',
      'loadBet',
      'settleBetInLedger',
      'reservePayout',
      'postPayout',
      'releasePayout',
      'registerConsent',
      'revokeConsentAtNomapay',
      'openTwoFactorSession',
      'checkLiveness',
      'sendSmsCode',
      'checkSmsCode',
      'fetchPersonalData',
      'matchPhoto',
      'matchReferencePhoto',
      'fetchMatchedPersonalData',
      'registerBettorWithEsu',
      'openIdentifiedWallet',
      'recordIdentificationStep',
      'journalEvent',
      'recordConsentRevocation',
      'readBettorIdentification',
      'describeMigrationSource',
      'readMigrationBatch',
      'recordMigrationOutcomes',
      'recordIncident',
      'alertIncident',
      'deliverIncidentCard',
      'detectIncidents',
      'sendAfmSubmission',
      'getAfmVerdict',
      'readAfmMessages',
      'sendEsuSubmission',
      'recordSubmission',
      'submissionPolicy',
      'rejectionWindowEnd',
      'officerDeadline',
      'maintenanceWindow',
      'loadVerdictCursor',
      'saveVerdictCursor',
      'journalUndeliverableVerdicts',
      'applyRetention',
      'beginReconciliation',
      'fetchListingPage',
      'compareWithCounterpart',
      'checkLedgerForRun',
      'finishReconciliation',
      'startSubmissionWorkflow',
    ]);
  });

  it('builds each activity as a function', () => {
    expect(Object.values(createSagaActivities(deps)).every((a) => typeof a === 'function')).toBe(true);
  });
});
