import { z } from 'zod';
import { BetStatus, PayoutStatus, SettlementStatus, BetResult } from '../domain/bet.js';
import { DepositStatus } from '../domain/deposit.js';
import { BusinessKey } from '../domain/ids.js';
import { IdentificationStep } from '../domain/identification.js';
import { IncidentStatus } from '../domain/incident-state.js';
import { MigrationStatus } from '../domain/migration.js';

/**
 * What the API answers, as zod schemas the OpenAPI document is generated from. Resources are the sagas'
 * `getStatus` snapshots, with the fields documented here (a field a workflow adds appears once it is listed).
 */
/** The values of an `as const` status object, as a zod enum takes them. */
export const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

const Failure = z
  .object({ type: z.string().describe('A failure type of domain/errors.ts'), message: z.string() })
  .meta({ id: 'Failure' });
const EsuReceipt = z
  .object({ receiptId: z.string(), operationId: z.string(), recordedAt: z.string() })
  .meta({ id: 'EsuReceipt' });

/**
 * A saga's snapshot as the API answers it, the OpenAPI component `id`: the caller's id (`idField`), the saga's
 * status, then the fields of its own.
 */
function snapshot<F extends z.ZodRawShape>(id: string, idField: string, statuses: Record<string, string>, fields: F) {
  return z.object({ [idField]: z.string(), status: z.enum(values(statuses)), ...fields }).meta({ id });
}

/** How a deposit's or bet's saga snapshot ends: ESU's receipt, the failure, the compensations it ran. */
const sagaOutcome = {
  esuReceipt: EsuReceipt.optional(),
  failure: Failure.optional(),
  compensations: z.array(z.string()),
};

export const Deposit = snapshot('Deposit', 'depositId', DepositStatus, {
  amountTiyn: z.number().int(),
  walletTransferId: z.string().optional(),
  ledgerTransferId: z.string().optional(),
  ...sagaOutcome,
});

export const Bet = snapshot('Bet', 'betId', BetStatus, {
  stakeTiyn: z.number().int(),
  odds: z.string(),
  reservationId: z.string().optional(),
  ...sagaOutcome,
});

export const Settlement = z
  .object({
    betId: z.string(),
    operationId: z.string(),
    status: z.enum(values(SettlementStatus)),
    result: BetResult,
    stakeTiyn: z.number().int().optional(),
    odds: z.string().optional(),
    winningsTiyn: z.number().int().optional(),
    creditedTiyn: z.number().int().optional(),
    alreadySettled: z.boolean().optional(),
    settledAt: z.string().optional(),
    esuReceipt: EsuReceipt.optional(),
    esuSubmissionId: z.string().optional(),
    failure: Failure.optional(),
  })
  .meta({ id: 'Settlement' });

export const Payout = snapshot('Payout', 'payoutId', PayoutStatus, {
  amountTiyn: z.number().int(),
  reservationId: z.string().optional(),
  walletTransferId: z.string().optional(),
  ledgerTransferId: z.string().optional(),
  esuReceipt: EsuReceipt.optional(),
  esuSubmissionId: z.string().optional(),
  afmSubmissionId: z.string().optional(),
  failure: Failure.optional(),
  compensations: z.array(z.string()),
});

export const Identification = z
  .object({
    bettorId: z.string(),
    mode: z.string(),
    step: z.enum(values(IdentificationStep)),
    method: z.string().optional(),
    sessionsOpened: z.number().int(),
    biometricFailures: z.number().int(),
    blockedUntil: z.string().optional(),
    consent: z
      .object({
        consentId: z.string(),
        agreementVersion: z.string(),
        givenAt: z.string(),
        registered: z.boolean(),
        revokedAt: z.string().optional(),
      })
      .optional(),
    session: z
      .object({
        sessionId: z.string(),
        number: z.number().int(),
        livenessAttemptsLeft: z.number().int(),
        livenessPassed: z.boolean(),
        smsLeft: z.number().int(),
        codeExpiresAt: z.string().optional(),
      })
      .optional(),
    photoMatch: z.object({ matchId: z.string(), scorePercent: z.number(), passed: z.boolean() }).optional(),
    decision: z.object({ positive: z.boolean(), decidedBy: z.string(), decidedAt: z.string() }).optional(),
    review: z
      .object({
        reason: z.string(),
        requestedAt: z.string(),
        escalateAt: z.string(),
        deadline: z.string(),
        escalatedAt: z.string().optional(),
        reviewer: z.string().optional(),
        approved: z.boolean().optional(),
      })
      .optional(),
    personalDataReceivedAt: z.string().optional(),
    identifiedAt: z.string().optional(),
    esuRegistrationId: z.string().optional(),
    walletId: z.string().optional(),
    refusal: z.object({ reason: z.string(), message: z.string() }).optional(),
    failure: Failure.optional(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Identification' });

export const StepAnswer = z
  .object({
    result: z.string().describe('What the step did, for the app to switch on'),
    message: z.string(),
    state: Identification,
  })
  .meta({ id: 'IdentificationStepAnswer' });

export const Migration = snapshot('Migration', 'migrationId', MigrationStatus, {
  total: z.number().int().optional(),
  settled: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  inReview: z.number().int(),
  remaining: z.number().int().optional(),
  inFlight: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  etaAt: z.string().optional(),
  ratePerHour: z.number(),
  startedAt: z.string(),
  updatedAt: z.string(),
  run: z.number().int(),
});

export const Incident = snapshot('Incident', 'incidentId', IncidentStatus, {
  card: z
    .record(z.string(), z.unknown())
    .describe('The incident card of National Bank resolution No. 116, annex 2, as filled so far'),
  version: z.number().int(),
  problems: z.array(z.string()).describe('What still stops the card from being submitted'),
  openedBy: z.string(),
  openedAt: z.string(),
  dueAt: z.string(),
  internalTargetAt: z.string(),
  origin: z.object({
    kind: z.enum(['OPS', 'DETECTOR']),
    detector: z.string().optional(),
    counterpart: z.string().optional(),
  }),
  submissions: z.array(
    z.object({
      version: z.number().int(),
      phase: z.enum(['INITIAL', 'UPDATE']),
      requestedBy: z.string(),
      requestedAt: z.string(),
      completedAt: z.string().optional(),
      receipts: z.record(
        z.string(),
        z.object({ messageId: z.string(), acceptedAt: z.string(), sentAt: z.string(), receivedAt: z.string() }),
      ),
      errors: z.record(z.string(), Failure),
    }),
  ),
  firstDeliveredAt: z.string().optional(),
  timeliness: z.enum(['ON_TIME', 'LATE']).optional(),
  escalatedAt: z.string().optional(),
  remindersSent: z.array(z.string()),
  closedAt: z.string().optional(),
  closedBy: z.string().optional(),
  timeline: z.array(
    z.object({
      at: z.string(),
      event: z.string(),
      actor: z.string(),
      result: z.enum(['OK', 'REFUSED', 'FAILED', 'ESCALATED']),
      detail: z.string().optional(),
    }),
  ),
});

/** Idempotency-Key of a start: the operation id itself. Of a step: any key the caller picks, once per step. */
export const IdempotencyKey = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required on every POST' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const PostHeaders = z.object({
  'idempotency-key': IdempotencyKey.describe(
    'Required. For a start, the operation id of the body (depositId, betId, …); for a step, a key unique to that step.',
  ),
  prefer: z
    .string()
    .max(200)
    .optional()
    .describe('`wait=N` (N ≤ 30): answer the final state if it is reached within N seconds'),
});

/** POST headers with an example key, so generated examples of a start use its operation id (`key`). */
export const postHeaders = (key: string) =>
  z.object({
    'idempotency-key': PostHeaders.shape['idempotency-key'].meta({ examples: [key] }),
    prefer: PostHeaders.shape.prefer.meta({ examples: ['wait=5'] }),
  });

export const idParam = <K extends string>(name: K, schema: z.ZodType<string> = BusinessKey) =>
  z.object({ [name]: schema } as Record<K, z.ZodType<string>>);

export const json = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A start's answers: the final state (200) or the state of an operation still running (202, with Location). */
export const startResponses = <S extends z.ZodType>(schema: S) => ({
  200: json(
    'The final state: reached already, or within the seconds of Prefer: wait. A refusal is a final state with its failure.',
    schema,
  ),
  202: json('Accepted: the operation runs; Location names it and GET answers its state.', schema),
});

/** A read's answer. */
export const readResponse = <S extends z.ZodType>(schema: S) => ({ 200: json('The current or final state', schema) });
