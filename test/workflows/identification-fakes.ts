import { afterEach, expect, vi } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { createIdentificationActivities } from '../../activities/identification.js';
import type {
  createIdentificationStoreActivities,
  JournalEntry,
  BettorStatusSnapshot,
} from '../../activities/identification-store.js';
import type { createMigrationActivities } from '../../activities/migration.js';
import { ErrorType } from '../../domain/errors.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { createIdentificationClient } from '../../client/identification.js';
import { uniqueId } from '../support/ids.js';
import { endWorkflows, env, useTimeSkipping, withWorker } from '../support/workflows.js';

export type Activities = ReturnType<typeof createIdentificationActivities> &
  ReturnType<typeof createIdentificationStoreActivities> &
  ReturnType<typeof createMigrationActivities>;

export const CORRECT_CODE = '123456';
export const EXPIRED_CODE = '999999';
export const PHOTO = { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY };

/** A counterpart refusal as CounterpartClient raises it: non-retryable, the reason code in details. */
export function refusal(type: string, code: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `nomapay → 422 ${code}`,
    type,
    nonRetryable: true,
    details: [{ code, message: code }],
  });
}

export interface FakeControls {
  /** Liveness verdicts in order (true = passed); when empty, checks pass. */
  liveness: boolean[];
  /** Photo-match scores in order; when empty, 92. */
  scores: number[];
  journal: JournalEntry[];
  statuses: BettorStatusSnapshot[];
  known?: Awaited<ReturnType<Activities['readBettorIdentification']>>;
}

/**
 * Fakes of Nomapay's identification API, ESU, the wallet and the store that keep the counterpart's own
 * counts (4 liveness checks, 2 SMS per session), typed so a signature change breaks the tests.
 */
export function fakeActivities(overrides: Partial<Activities> = {}): Activities & FakeControls {
  const now = () => new Date().toISOString();
  const controls = { liveness: [], scores: [], journal: [], statuses: [] } as unknown as Activities & FakeControls;
  const sessions = new Map<string, { attemptsLeft: number; smsLeft: number }>();
  const base: Activities = {
    registerConsent: async (r) => ({ consentId: r.consentId, status: 'ACTIVE', givenAt: r.givenAt }),
    revokeConsentAtNomapay: async ({ consentId }) => ({
      consentId,
      status: 'REVOKED',
      givenAt: now(),
      revokedAt: now(),
    }),
    openTwoFactorSession: async (r) => {
      sessions.set(r.sessionId, { attemptsLeft: 4, smsLeft: 2 });
      return {
        session: { sessionId: r.sessionId, status: 'OPEN', livenessAttemptsLeft: 4, smsLeft: 2, openedAt: now() },
      };
    },
    checkLiveness: async ({ sessionId }) => {
      const session = sessions.get(sessionId)!;
      session.attemptsLeft -= 1;
      const passed = controls.liveness.shift() ?? true;
      return {
        passed,
        attemptsLeft: session.attemptsLeft,
        sessionStatus: !passed && session.attemptsLeft === 0 ? 'ENDED' : 'OPEN',
      };
    },
    sendSmsCode: async ({ sessionId }) => {
      const session = sessions.get(sessionId)!;
      if (session.smsLeft === 0) throw refusal(ErrorType.IdentificationRejected, 'SMS_LIMIT_REACHED');
      session.smsLeft -= 1;
      return { sentAt: now(), expiresAt: new Date(Date.now() + 300_000).toISOString(), smsLeft: session.smsLeft };
    },
    checkSmsCode: async ({ code }) =>
      code === CORRECT_CODE
        ? { result: 'ACCEPTED', authorizationCode: 'auth-code-1' }
        : code === EXPIRED_CODE
          ? { result: 'EXPIRED_CODE' }
          : { result: 'WRONG_CODE' },
    fetchPersonalData: async () => ({ receivedAt: now(), fields: ['birthDate', 'firstName', 'iin', 'lastName'] }),
    matchPhoto: async (r) => ({ matchId: r.matchId, scorePercent: controls.scores.shift() ?? 92, matchedAt: now() }),
    matchReferencePhoto: async (r) => ({
      matchId: r.matchId,
      scorePercent: controls.scores.shift() ?? 92,
      matchedAt: now(),
    }),
    fetchMatchedPersonalData: async () => ({
      receivedAt: now(),
      fields: ['birthDate', 'firstName', 'iin', 'lastName'],
    }),
    registerBettorWithEsu: async (r) => ({ registrationId: r.registrationId, registeredAt: now() }),
    openIdentifiedWallet: async (r) => ({ walletId: r.walletId, status: 'IDENTIFIED', openedAt: now() }),
    // Deduplicated by key as the journal table's unique dedupe_key does: a local activity may run again
    // when its workflow task is retried.
    recordIdentificationStep: async ({ entry, status }) => {
      if (controls.journal.some((e) => e.dedupeKey === entry.dedupeKey)) return;
      controls.journal.push(entry);
      controls.statuses.push(status);
    },
    journalEvent: async (entry) => {
      if (!controls.journal.some((e) => e.dedupeKey === entry.dedupeKey)) controls.journal.push(entry);
    },
    readBettorIdentification: async () => controls.known,
    recordConsentRevocation: async ({ entry, revokedAt }) => {
      if (!controls.known) return { outcome: 'NO_CONSENT' };
      controls.journal.push(entry);
      return { outcome: 'REVOKED', consentId: 'consent-1', revokedAt };
    },
    describeMigrationSource: async () => ({ total: 0 }),
    readMigrationBatch: async () => ({ rows: [], cursor: '', exhausted: true }),
    recordMigrationOutcomes: async ({ items }) => items.length,
    ...overrides,
  };
  // The controls object is the one returned, so a test may set `known` or push verdicts after creation.
  for (const [name, fn] of Object.entries(base))
    Object.assign(controls, { [name]: vi.fn(fn as (...a: unknown[]) => unknown) });
  return controls;
}

export const events = (a: FakeControls) => a.journal.map((e) => e.event);

const opened: string[] = [];

/** Remembers a workflow a test leaves running, so `terminateLeftovers` ends it (its timers would hold time skipping). */
export function remember<T extends { workflowId: string }>(handle: T): T {
  opened.push(handle.workflowId);
  return handle;
}

export async function terminateLeftovers(): Promise<void> {
  await endWorkflows(opened.splice(0));
}

/** The file's time-skipping server (`useTimeSkipping`), and after each test the workflows it left open ended. */
export function useTidyTimeSkipping(): void {
  useTimeSkipping();
  afterEach(terminateLeftovers);
}

/** The identification client on this task queue, with the workflow tests' bettor-reference key. */
export const identificationClient = (taskQueue: string) =>
  createIdentificationClient({ client: env.client, taskQueue, bettorRefKey: 'workflow-test-bettor-ref-key' });

type StartIdentification = Parameters<ReturnType<typeof identificationClient>['startIdentification']>[0];

/** An identification of a new bettor, remembered for `terminateLeftovers`. */
export async function started(taskQueue: string, request: Partial<StartIdentification> = {}) {
  return remember(
    await identificationClient(taskQueue).startIdentification({ bettorId: uniqueId('bettor'), ...request }),
  );
}

type Identification = Awaited<ReturnType<typeof started>>;

/** An identification of a new bettor who has consented (agreement 2024-11), remembered for `terminateLeftovers`. */
export async function consented(taskQueue: string, request: Partial<StartIdentification> = {}) {
  const id = await started(taskQueue, request);
  await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
  return id;
}

/** Runs `fn` on a worker of the fakes `a` with a new bettor's identification (`started`), no consent given yet. */
export const withStarted = <T>(a: Activities, fn: (id: Identification) => Promise<T>): Promise<T> =>
  withWorker(a, async (taskQueue) => fn(await started(taskQueue)));

/** Runs `fn` on a worker of the fakes `a` with a consented identification (`consented`). */
export const withConsented = <T>(
  a: Activities,
  fn: (id: Identification) => Promise<T>,
  request: Partial<StartIdentification> = {},
): Promise<T> => withWorker(a, async (taskQueue) => fn(await consented(taskQueue, request)));

/** The identification ends refused for `reason`, none of the fakes named in `notAsked` called; answers its state. */
export async function expectRefused(id: Identification, reason: string, a: Activities, notAsked: (keyof Activities)[]) {
  const state = await id.result();
  expect(state.refusal?.reason).toBe(reason);
  for (const name of notAsked) expect(a[name], name).not.toHaveBeenCalled();
  return state;
}
