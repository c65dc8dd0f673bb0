import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BetInput, BetRequest, PayoutInput, PayoutRequest, SettlementRequest } from '../../domain/bet.js';
import { DepositInput, DepositRequest } from '../../domain/deposit.js';
import { IdentificationInput, MigrationSubject } from '../../domain/identification.js';
import * as commands from '../../domain/identification-commands.js';
import { IncidentCard, IncidentCardDraft, IncidentCardPatch } from '../../domain/incident.js';
import { IncidentTiming } from '../../domain/incident-deadlines.js';
import { AmendIncident, CloseIncident, OpenIncident, SubmitIncident } from '../../domain/incident-state.js';
import { MigrationRequest, MigrationRunInput } from '../../domain/migration.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { ResubmitSubmission, RetrySubmission, SubmissionInput } from '../../domain/submission.js';
import { AfmReceipt, AfmRejection, AfmSubmissionMessage, AfmSubmissionStatus } from '../../domain/wire/afm.js';
import { CounterpartErrorBody } from '../../domain/wire/common.js';
import {
  EligibilityRequest,
  EligibilityResult,
  EsuOperationRequest,
  EsuReceipt,
  EsuRecordedOperation,
} from '../../domain/wire/esu.js';
import {
  Consent,
  ConsentRegistration,
  EsuBettorRegistrationRequest,
  MatchedPersonalDataRequest,
  OpenSessionRequest,
  OpenWalletRequest,
  PersonalData,
  PhotoMatchRequest,
  TwoFactorSession,
} from '../../domain/wire/identification.js';
import { IncidentCardAck, IncidentCardMessage } from '../../domain/wire/incident.js';
import { RefundRequest, WalletTransfer, WalletTransferRequest } from '../../domain/wire/nomapay.js';
import { adultIin } from '../support/ids.js';
import { completeCard } from '../support/incident-card.js';
import { betRequest, depositRequest, payoutRequest } from '../support/unit-requests.js';

const iin = adultIin();
const bettorRef = 'a'.repeat(64);
const at = '2026-03-10T09:00:00+05:00';
const photo = { image: 'A'.repeat(16), quality: GOOD_PHOTO_QUALITY };
const signature = { algorithm: 'RSA-SHA256', keyId: 'k1', certificate: 'Y2VydA==', value: 'c2ln' };
const deposit = depositRequest({ iin });
const bet = betRequest({ iin });
const payout = payoutRequest({ iin });
const subject = {
  migrationId: 'mig-1',
  iin,
  phone: '+77011234567',
  bettorRef,
  consent: { givenAt: at, agreementVersion: 'v1' },
  photoRef: 'ref-1',
};
const afmPayload = { counterpart: 'AFM', record: { iin, receivedAt: at, receivedTiyn: 100 } };
const esuRecord = {
  operationId: 'bet-1',
  kind: 'BET',
  iin,
  amountTiyn: 100,
  currency: 'KZT',
  occurredAt: at,
  bet: { betId: 'bet-1', eventId: 'kpl-17', outcome: 'HOME', odds: '2.35' },
};
const submission = {
  submissionId: 'afm-dep-1',
  operationId: 'dep-1',
  operationKind: 'DEPOSIT',
  bettorRef,
  attempt: 1,
  payload: afmPayload,
};
const draft = { name: 'Suspicious logins', detectedAt: at };

/**
 * Every schema a request or input crosses a boundary with, a valid example, the path of one nested object
 * (strictness must reach it) and its free-text fields (the shared text rule must cover them).
 */
const REQUESTS: [string, z.ZodType, Record<string, unknown>, (string | number)[][], (string | number)[][]][] = [
  ['DepositRequest', DepositRequest, deposit, [], []],
  ['DepositInput', DepositInput, { ...deposit, bettorRef }, [], []],
  ['BetRequest', BetRequest, bet, [], [['eventId'], ['outcome']]],
  ['BetInput', BetInput, { ...bet, bettorRef }, [], [['eventId'], ['outcome']]],
  ['SettlementRequest', SettlementRequest, { betId: 'bet-1', result: 'WON' }, [], []],
  ['PayoutRequest', PayoutRequest, payout, [], []],
  ['PayoutInput', PayoutInput, { ...payout, bettorRef }, [], []],
  [
    'IdentificationInput',
    IdentificationInput,
    { bettorId: 'b-1', mode: 'MIGRATION', migration: subject },
    [['migration'], ['migration', 'consent']],
    [['migration', 'photoRef']],
  ],
  ['MigrationSubject', MigrationSubject, subject, [['consent']], [['photoRef'], ['consent', 'agreementVersion']]],
  ['GiveConsent', commands.GiveConsent, { accepted: true, agreementVersion: 'v1' }, [], [['agreementVersion']]],
  ['StartTwoFactor', commands.StartTwoFactor, { iin, phone: '+77011234567', bettorRef }, [], []],
  ['SubmitLiveness', commands.SubmitLiveness, { livenessToken: 'tok' }, [], [['livenessToken']]],
  ['SubmitSmsCode', commands.SubmitSmsCode, { code: '1234' }, [], []],
  [
    'SubmitPhoto',
    commands.SubmitPhoto,
    { iin, bettorRef, photo },
    [['photo'], ['photo', 'quality'], ['photo', 'quality', 'checks']],
    [],
  ],
  ['RecordDecision', commands.RecordDecision, { positive: true, decidedBy: 'policy-auto' }, [], [['decidedBy']]],
  [
    'DecideReview',
    commands.DecideReview,
    { approved: true, reviewer: 'officer', note: 'documents seen' },
    [],
    [['reviewer'], ['note']],
  ],
  ['RevokeConsent', commands.RevokeConsent, { source: 'APP' }, [], []],
  ['ConsentRevocationInput', commands.ConsentRevocationInput, { source: 'APP', bettorId: 'b-1' }, [], []],
  [
    'IncidentCard',
    IncidentCard,
    completeCard(at),
    [['place'], ['damage'], ['actionsTaken'], ['personsNotified', 0], ['specialists', 0]],
    [
      ['name'],
      ['place', 'segment'],
      ['symptoms'],
      ['threatSources', 0],
      ['specialists', 0, 'fullName'],
      ['plannedActions'],
    ],
  ],
  ['IncidentCardDraft', IncidentCardDraft, draft, [], [['name']]],
  ['IncidentCardPatch', IncidentCardPatch, { symptoms: 'more' }, [], [['symptoms']]],
  [
    'OpenIncident',
    OpenIncident,
    { incidentId: 'inc-1', card: draft, openedBy: 'ops', origin: { kind: 'OPS' }, timing: {} },
    [['card'], ['origin'], ['timing']],
    [['openedBy'], ['card', 'name']],
  ],
  [
    'AmendIncident',
    AmendIncident,
    { patch: { symptoms: 'more' }, amendedBy: 'ops' },
    [['patch']],
    [['amendedBy'], ['patch', 'symptoms']],
  ],
  ['SubmitIncident', SubmitIncident, { submittedBy: 'ops' }, [], [['submittedBy']]],
  ['CloseIncident', CloseIncident, { closedBy: 'ops', note: 'resolved' }, [], [['closedBy'], ['note']]],
  ['IncidentTiming', IncidentTiming, {}, [], []],
  [
    'MigrationRequest',
    MigrationRequest,
    { migrationId: 'mig-1', source: { kind: 'csv', path: '/data/bettors.csv' }, requestedBy: 'ops' },
    [['source']],
    [['source', 'path'], ['requestedBy']],
  ],
  [
    'MigrationRunInput',
    MigrationRunInput,
    { migrationId: 'mig-1', source: { kind: 'table', table: 'migration_bettors' } },
    [['source']],
    [],
  ],
  [
    'SubmissionInput',
    SubmissionInput,
    { ...submission, initialRejection: { code: 'X', reason: 'refused', rejectedAt: at } },
    [['payload'], ['payload', 'record'], ['initialRejection']],
    [['actor'], ['initialRejection', 'reason']],
  ],
  [
    'ResubmitSubmission',
    ResubmitSubmission,
    { payload: { counterpart: 'ESU', record: esuRecord }, actor: 'officer' },
    [['payload'], ['payload', 'record'], ['payload', 'record', 'bet']],
    [['actor'], ['payload', 'record', 'bet', 'eventId']],
  ],
  ['RetrySubmission', RetrySubmission, { actor: 'officer' }, [], [['actor']]],
  // What we send to counterparts: as strict as what we accept.
  ['EligibilityRequest', EligibilityRequest, { iin, purpose: 'BET' }, [], []],
  ['EsuOperationRequest', EsuOperationRequest, esuRecord, [['bet']], [['bet', 'outcome']]],
  [
    'WalletTransferRequest',
    WalletTransferRequest,
    { transferId: 't-1', iin, direction: 'BETTOR_TO_BOOKMAKER', amountTiyn: 100, currency: 'KZT' },
    [],
    [],
  ],
  ['RefundRequest', RefundRequest, { reason: 'ESU refused the deposit' }, [], [['reason']]],
  [
    'AfmSubmissionMessage',
    AfmSubmissionMessage,
    { submissionId: 'afm-dep-1', sender: 'bookmaker', sentAt: at, record: afmPayload.record, signature },
    [['record'], ['signature']],
    [['sender']],
  ],
  [
    'IncidentCardMessage',
    IncidentCardMessage,
    {
      messageId: 'm-1',
      incidentId: 'inc-1',
      version: 1,
      phase: 'INITIAL',
      sender: 'bookmaker',
      sentAt: at,
      card: completeCard(at),
      signature,
    },
    [['card'], ['signature']],
    [['sender'], ['card', 'name']],
  ],
  [
    'ConsentRegistration',
    ConsentRegistration,
    { consentId: 'c-1', iin, agreementVersion: 'v1', givenAt: at, scope: ['PERSONAL_DATA_PROCESSING'] },
    [],
    [['agreementVersion']],
  ],
  [
    'OpenSessionRequest',
    OpenSessionRequest,
    { sessionId: 's-1', iin, phone: '+77011234567', consentId: 'c-1' },
    [],
    [],
  ],
  ['PhotoMatchRequest', PhotoMatchRequest, { matchId: 'pm-1', iin, consentId: 'c-1', photo }, [['photo']], []],
  [
    'MatchedPersonalDataRequest',
    MatchedPersonalDataRequest,
    {
      decision: { positive: true, decidedBy: 'policy', decidedAt: at },
      consentConfirmation: { consentId: 'c-1', matchId: 'pm-1', confirmedAt: at, signature },
    },
    [['decision'], ['consentConfirmation'], ['consentConfirmation', 'signature']],
    [['decision', 'decidedBy']],
  ],
  [
    'OpenWalletRequest',
    OpenWalletRequest,
    { walletId: 'w-1', iin, identification: { method: 'TWO_FACTOR', identifiedAt: at } },
    [['identification']],
    [],
  ],
  [
    'EsuBettorRegistrationRequest',
    EsuBettorRegistrationRequest,
    { registrationId: 'r-1', iin, identifiedAt: at, method: 'TWO_FACTOR', agent: 'NOMAPAY' },
    [],
    [],
  ],
];

function withValue(
  sample: Record<string, unknown>,
  path: (string | number)[],
  set: (target: Record<string, unknown>) => void,
): unknown {
  const copy = structuredClone(sample);
  let target: Record<string, unknown> = copy;
  for (const key of path) target = target[key] as Record<string, unknown>;
  set(target);
  return copy;
}

it('covers every schema of domain/identification-commands.ts, the commands the client takes', () => {
  const covered = new Set(REQUESTS.map(([, schema]) => schema));
  const schemas = Object.entries(commands).filter(([, value]) => value instanceof z.ZodType);
  expect(schemas.length).toBeGreaterThan(0);
  for (const [name, schema] of schemas) expect(covered.has(schema as z.ZodType), name).toBe(true);
});

describe.each(REQUESTS)('%s', (_name, schema, sample, nested, texts) => {
  it('accepts its example', () => {
    expect(schema.safeParse(sample).error?.issues).toBeUndefined();
  });

  it('refuses an unknown field at the top and in every nested object, naming it', () => {
    for (const path of [[], ...nested]) {
      const result = schema.safeParse(withValue(sample, path, (t) => (t.unexpected = 1)));
      const issue = result.error?.issues.find((i) => i.code === 'unrecognized_keys');
      expect(issue, `unknown field at ${path.join('.') || '(top)'}`).toMatchObject({ path, keys: ['unexpected'] });
    }
  });

  it.runIf(texts.length > 0)('refuses control and bidi characters in each free-text field, naming the field', () => {
    for (const path of texts) {
      const field = path.at(-1)!;
      const result = schema.safeParse(
        withValue(sample, path.slice(0, -1), (t) => (t[field] = `ab\u202E${String(t[field])}`)),
      );
      expect(result.error?.issues, path.join('.')).toContainEqual(
        expect.objectContaining({
          path,
          message: 'must not contain control or bidirectional formatting characters (U+202E at 2)',
        }),
      );
    }
  });
});

describe('what counterparts answer us', () => {
  it('tolerates fields a counterpart adds', () => {
    const answers: [z.ZodType, unknown][] = [
      [EsuReceipt, { receiptId: 'r', operationId: 'o', recordedAt: at }],
      [EsuRecordedOperation, { receiptId: 'r', operationId: 'o', recordedAt: at, kind: 'DEPOSIT', amountTiyn: 1, iin }],
      [EligibilityResult, { eligible: true, checkedAt: at }],
      [
        WalletTransfer,
        {
          transferId: 't',
          iin,
          direction: 'BETTOR_TO_BOOKMAKER',
          amountTiyn: 1,
          currency: 'KZT',
          status: 'COMPLETED',
          completedAt: at,
        },
      ],
      [AfmReceipt, { messageId: 'm', acceptedAt: at }],
      [AfmSubmissionStatus, { messageId: 'm', status: 'ACCEPTED_FOR_PROCESSING' }],
      [IncidentCardAck, { messageId: 'm', status: 'ACCEPTED', acceptedAt: at }],
      [Consent, { consentId: 'c', status: 'ACTIVE', givenAt: at }],
      [TwoFactorSession, { sessionId: 's', status: 'OPEN', livenessAttemptsLeft: 4, smsLeft: 2, openedAt: at }],
      [CounterpartErrorBody, { error: { code: 'X', message: 'm' } }],
    ];
    for (const [schema, answer] of answers) {
      expect(schema.safeParse({ ...(answer as object), addedLater: { any: 'thing' } }).success).toBe(true);
    }
  });

  it('keeps a counterpart’s reason text but not its control or bidi characters', () => {
    const body = CounterpartErrorBody.parse({
      error: { code: 'LIMIT\u0000\n', message: 'over\u202E the\nlimit', details: [{ code: 'c', message: 'a\u0007b' }] },
    });
    expect(body.error).toEqual({
      code: 'LIMIT\uFFFD\uFFFD',
      message: 'over\uFFFD the\nlimit',
      details: [{ code: 'c', message: 'a\uFFFDb' }],
    });
    expect(AfmRejection.parse({ code: 'BAD_IIN', reason: 'IIN\u2066 unknown', rejectedAt: at }).reason).toBe(
      'IIN\uFFFD unknown',
    );
  });

  it('strips from personal data every field it does not name (biometrics never reach us)', () => {
    const parsed = PersonalData.parse({
      iin,
      lastName: 'Садыкова',
      firstName: 'Айгерім',
      birthDate: '1990-05-17',
      sex: 'F',
      citizenship: 'KZ',
      document: { type: 'ID', number: '0001', issuedAt: '2020-01-01', expiresAt: '2030-01-01', issuer: 'МВД РК' },
      photo: 'base64…',
    });
    expect(parsed).not.toHaveProperty('photo');
  });
});
