import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { rootMessage } from './failures.js';
import type { z } from 'zod';
import type { IdentificationActivities } from '../activities/identification.js';
import type { IdentificationStoreActivities, JournalEntry } from '../activities/identification-store.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import {
  bettorStatusOf,
  IdentificationInput,
  REVIEW_DEADLINE_MS,
  REVIEW_ESCALATION_MS,
  TERMINAL_STEPS,
  type IdentificationState,
  type IdentificationStep,
  type RefusalReason,
  type StepAnswer,
} from '../domain/identification.js';
import { firstIssue } from '../domain/identification-commands.js';
import { BettorRefKey, OperationStatusKey } from '../domain/search-attributes.js';
import { failureType } from './failures.js';

const nonRetryableErrorTypes = NON_RETRYABLE_ERROR_TYPES;

/** Inside an update the app is waiting: short retries, bounded by the app's patience. */
export const interactive = proxyActivities<IdentificationActivities>({
  startToCloseTimeout: '30 seconds', // the e-government integration rules: a synchronous call takes at most 30 s
  scheduleToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes,
  },
});

/** Steps nobody waits on (personal data, the migration's requests): backoff for up to an hour. */
export const background = proxyActivities<IdentificationActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

/** ESU registration and the e-wallet, once the bettor is identified: kept trying for a day. */
export const registration = proxyActivities<IdentificationActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
});

export const store = proxyLocalActivities<IdentificationStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

export type ParsedInput = z.output<typeof IdentificationInput>;

export function reject(message: string, type: ErrorType = ErrorType.IdentificationStepRejected): never {
  throw ApplicationFailure.create({ message, type, nonRetryable: true });
}

/** Parses an update's argument with its schema; a bad field is a rejection that names it. */
export function parseOrReject<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) reject(firstIssue(parsed.error), ErrorType.InvalidInput);
  return parsed.data;
}

/** The reason code a counterpart gave with its refusal (CounterpartClient puts it in the failure's details). */
export function refusalCodeOf(err: unknown): string | undefined {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) return (current.details?.[0] as { code?: string } | undefined)?.code;
    current = current.cause;
  }
  return undefined;
}

export { rootMessage };

export const isConsentRevoked = (err: unknown): boolean =>
  failureType(err) === ErrorType.ConsentRevoked || refusalCodeOf(err) === 'CONSENT_REVOKED';

/** An activity failure inside an update becomes a rejection with the failure's type, so the app sees why. */
export function asRejection(err: unknown): unknown {
  if (!(err instanceof ActivityFailure)) return err;
  return ApplicationFailure.create({
    message: rootMessage(err),
    type: failureType(err) ?? ErrorType.CounterpartUnavailable,
    nonRetryable: true,
    details: [{ code: refusalCodeOf(err) }],
  });
}

/**
 * The identification's state and the moves every path shares: step changes (visible as OperationStatus),
 * the journal (one local activity per step: journal row plus the bettor's status in PostgreSQL), refusal,
 * offline review, and a lock so that steps driven by updates run one at a time.
 */
export class IdentificationCore {
  readonly state: IdentificationState;
  readonly workflowId = workflowInfo().workflowId;
  /** Prefix of every idempotency key and counterpart id this run sends: a later run never replays this one's. */
  readonly keyPrefix = `${workflowInfo().workflowId}:${workflowInfo().runId}`;
  subject?: { iin: string; phone?: string; bettorRef: string };
  authorizationCode?: string;
  matches = 0;
  notifiedMigration = false;
  /** Bumped by every accepted update: the idle timer restarts from it. */
  touches = 0;
  private journalSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly input: ParsedInput) {
    this.state = {
      bettorId: input.bettorId,
      mode: input.mode,
      step: 'AWAITING_CONSENT',
      sessionsOpened: 0,
      biometricFailures: 0,
      updatedAt: new Date().toISOString(),
    };
  }

  get terminal(): boolean {
    return TERMINAL_STEPS.includes(this.state.step);
  }

  /** Runs `fn` after every step queued before it (safe-message-handlers): updates never interleave. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  setStep(step: IdentificationStep, statusAttribute: string = step): void {
    this.state.step = step;
    this.state.updatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: OperationStatusKey, value: statusAttribute }]);
  }

  pin(subject: { iin: string; phone?: string; bettorRef: string }): void {
    if (this.subject) return;
    this.subject = subject;
    upsertSearchAttributes([{ key: BettorRefKey, value: subject.bettorRef }]);
  }

  answer(result: string, message: string): StepAnswer {
    return { result, message, state: this.state };
  }

  async journal(
    event: string,
    result: JournalEntry['result'],
    {
      actor = 'system',
      startedAtMs = Date.now(),
      details,
    }: { actor?: string; startedAtMs?: number; details?: Record<string, unknown> } = {},
  ): Promise<void> {
    const s = this.state;
    await store.recordIdentificationStep({
      entry: {
        recordId: s.bettorId,
        event,
        result,
        actor,
        startedAtMs,
        dedupeKey: `${this.keyPrefix}:${++this.journalSeq}`,
        details: { step: s.step, ...details },
      },
      status: {
        bettorId: s.bettorId,
        bettorRef: this.subject?.bettorRef,
        workflowId: this.workflowId,
        status: bettorStatusOf(s.step),
        step: s.step,
        method: s.method,
        blockedUntil: s.blockedUntil,
        reason: s.refusal?.reason ?? s.review?.reason ?? s.failure?.type,
        consentId: s.consent?.consentId,
        consentGivenAt: s.consent?.givenAt,
        consentRevokedAt: s.consent?.revokedAt,
        esuRegistrationId: s.esuRegistrationId,
        walletId: s.walletId,
        identifiedAt: s.identifiedAt,
      },
    });
  }

  async refuse(reason: RefusalReason, message: string, actor?: string): Promise<StepAnswer> {
    this.state.refusal = { reason, message };
    this.setStep('REFUSED');
    await this.journal('identification.refused', 'REFUSED', { actor, details: { reason } });
    return this.answer('REFUSED', message);
  }

  /** §16: after the third failed biometric verification, an offline check or a refusal, as the bookmaker chose. */
  async repeatedFailure(what: string): Promise<StepAnswer> {
    const message = `${what}; biometric verification has failed ${this.state.biometricFailures} times (more than twice, §16)`;
    if (this.input.onRepeatedBiometricFailure === 'REFUSE') return this.refuse('BIOMETRIC_FAILURES', message);
    return this.enterReview(message);
  }

  async enterReview(reason: string): Promise<StepAnswer> {
    const now = Date.now();
    this.state.review = {
      reason,
      requestedAt: new Date(now).toISOString(),
      escalateAt: new Date(now + REVIEW_ESCALATION_MS).toISOString(),
      deadline: new Date(now + REVIEW_DEADLINE_MS).toISOString(),
    };
    this.setStep('OFFLINE_REVIEW');
    await this.journal('identification.review-requested', 'OK', {
      details: { reason, biometricFailures: this.state.biometricFailures },
    });
    return this.answer('IN_REVIEW', `${reason}: the bettor is to be checked offline`);
  }

  consentActive(): void {
    const consent = this.state.consent;
    if (!consent) reject('consent has not been given yet (§§9, 13: consent comes first)');
    if (consent.revokedAt)
      reject('the bettor revoked consent: no personal-data request is made (§31)', ErrorType.ConsentRevoked);
  }

  /** The consent the bettor gave, registered in Nomapay's registry before the first data request (§26). */
  async ensureConsentRegistered(iin: string, via: typeof interactive): Promise<void> {
    const consent = this.state.consent!;
    if (consent.registered) return;
    const startedAtMs = Date.now();
    const registered = await via.registerConsent({
      consentId: consent.consentId,
      iin,
      agreementVersion: consent.agreementVersion,
      givenAt: consent.givenAt,
      scope: ['PERSONAL_DATA_PROCESSING', 'THIRD_PARTY_TRANSFER'],
    });
    if (registered.status === 'REVOKED')
      reject('the consent is revoked in the registry (§§27, 31)', ErrorType.ConsentRevoked);
    consent.registered = true;
    await this.journal('identification.consent-registered', 'OK', {
      startedAtMs,
      details: { consentId: consent.consentId },
    });
  }

  /** Nomapay (or the registry, id.npck.kz) says the consent is revoked: stop asking for data. */
  async consentRevokedAtSource(): Promise<StepAnswer> {
    if (this.state.consent && !this.state.consent.revokedAt) this.state.consent.revokedAt = new Date().toISOString();
    return this.refuse(
      'CONSENT_REVOKED',
      'the bettor revoked consent: no further personal-data request is made (§§27, 31)',
    );
  }
}
