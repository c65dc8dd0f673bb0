import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { firstIssue } from '../domain/issues.js';
import { ErrorType } from '../domain/errors.js';
import {
  IDENTIFICATION_IDLE_MS,
  IdentificationInput,
  type IdentificationState,
  type IdentificationStep,
} from '../domain/identification.js';
import type { MigrationOutcome } from '../domain/migration.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import {
  background,
  IdentificationCore,
  isConsentRevoked,
  refusalCodeOf,
  registration,
  rootMessage,
  store,
} from './identification-core.js';
import { getIdentificationStatusQuery } from './identification-messages.js';
import { photoMatched, registerStepHandlers } from './identification-steps/index.js';
import { bettorSettledSignal } from './migration-messages.js';
import { failureType } from './failures.js';

export * from './identification-messages.js';

/**
 * One bettor's identification through Nomapay under the ЦОИД rules, keyed `Identification:<bettorId>`.
 * In APP mode the bookmaker's app drives it step by step with updates (workflows/identification-steps/, a file
 * per method: consent, two-factor, photo, review); this function waits between steps on durable timers: the
 * 15-minute liveness block lifts by itself, an offline review escalates after 24 h and refuses after 72 h, and an
 * untouched identification is abandoned after 7 days. Once identified, the bettor is registered with ESU and gets
 * an identified e-wallet.
 *
 * MIGRATION mode re-identifies an existing bettor with nobody in the app (the ESU integration plan, items 6–7). Decision: it
 * uses the photo-match service (§§11–17) with the reference photo the bookmaker took at its own earlier KYC
 * and the consent the bettor gave in the bookmaker's app (both from the bookmaker's records). The bookmaker's
 * positive decision (§17.4) is taken by a recorded policy, "score ≥ 85 % on the reference photo", journalled
 * with the migration as acting user; the consent confirmation is signed as in the app path. A score below
 * 85 % or a reference photo that fails annex 1 goes straight to offline review instead of retrying the same
 * photo (§16 permits the offline check; §12 leaves the decision to the participant): retrying one stored photo
 * cannot change its score and repeated requests look like probing (§49.3). 2FA is never used in migration:
 * it needs the bettor's face and phone in real time.
 */
export async function identification(rawInput: IdentificationInput): Promise<IdentificationState> {
  const parsed = IdentificationInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`identification input: ${firstIssue(parsed.error)}`, ErrorType.InvalidInput);
  }
  const core = new IdentificationCore(parsed.data);
  setHandler(getIdentificationStatusQuery, () => core.state);
  registerStepHandlers(core);
  upsertSearchAttributes([
    { key: OperationKindKey, value: 'IDENTIFICATION' },
    { key: OperationStatusKey, value: core.state.step },
  ]);

  let alreadyIdentified = false;
  await core.serial(async () => {
    const known = await store.readBettorIdentification({ bettorId: core.state.bettorId });
    // After a revoked consent the bettor identifies anew, with a new consent (behind a patch: older runs never read it).
    const consentStands = !known?.consentRevokedAt || !patched('reidentify-after-revoked-consent');
    if (known?.status === 'IDENTIFIED' && consentStands) {
      // Identified before (in the app or by an earlier migration): nothing is sent again.
      alreadyIdentified = true;
      Object.assign(core.state, {
        method: known.method ?? undefined,
        identifiedAt: known.identifiedAt ?? undefined,
        walletId: known.walletId ?? undefined,
        esuRegistrationId: known.esuRegistrationId ?? undefined,
      });
      core.setStep('IDENTIFIED');
      return;
    }
    await core.journal('identification.started', 'OK', { details: { mode: core.state.mode } });
    if (core.input.mode === 'MIGRATION') await migrate(core);
  });

  while (!core.terminal) {
    await notifyMigration(core, alreadyIdentified);
    const step = core.state.step;
    if (step === 'LIVENESS_BLOCKED') await waitOutBlock(core);
    else if (step === 'OFFLINE_REVIEW') await awaitReview(core);
    else if (step === 'REGISTERING') await register(core);
    else {
      const seen = core.touches;
      const touched = await condition(() => core.touches !== seen || core.state.step !== step, IDENTIFICATION_IDLE_MS);
      if (!touched) await core.serial(() => abandon(core, step));
    }
  }
  await notifyMigration(core, alreadyIdentified);
  await condition(allHandlersFinished);
  if (core.state.step === 'FAILED') {
    const failure = core.state.failure!;
    throw ApplicationFailure.create({
      message: failure.message,
      type: failure.type,
      nonRetryable: true,
      details: [core.state],
    });
  }
  return core.state;
}

const untilMs = (iso: string) => Math.max(1, Date.parse(iso) - Date.now());

async function waitOutBlock(core: IdentificationCore): Promise<void> {
  const lifted = !(await condition(() => core.state.step !== 'LIVENESS_BLOCKED', untilMs(core.state.blockedUntil!)));
  if (!lifted) return;
  await core.serial(async () => {
    if (core.state.step !== 'LIVENESS_BLOCKED') return;
    const until = core.state.blockedUntil;
    core.state.blockedUntil = undefined;
    core.setStep('AWAITING_METHOD');
    await core.journal('identification.liveness-unblocked', 'OK', { details: { blockedUntil: until } });
  });
}

/** §16's offline check is a human decision (decideReview): escalated after 24 h, refused after 72 h. */
async function awaitReview(core: IdentificationCore): Promise<void> {
  const review = core.state.review!;
  const decided = () => core.state.step !== 'OFFLINE_REVIEW';
  if (!review.escalatedAt) {
    if (await condition(decided, untilMs(review.escalateAt))) return;
    await core.serial(async () => {
      if (decided()) return;
      review.escalatedAt = new Date().toISOString();
      core.setStep('OFFLINE_REVIEW', 'REVIEW_ESCALATED');
      await core.journal('identification.review-escalated', 'ESCALATED', { details: { deadline: review.deadline } });
    });
    return;
  }
  if (await condition(decided, untilMs(review.deadline))) return;
  await core.serial(async () => {
    if (!decided())
      await core.refuse('REVIEW_TIMED_OUT', 'no offline review decision within 72 hours: the bettor is refused (§16)');
  });
}

async function abandon(core: IdentificationCore, step: IdentificationStep): Promise<void> {
  if (core.state.step !== step || core.terminal) return;
  if (core.state.session) {
    // §66: an abandoned 2FA session is billed in full; the journal is the evidence for reconciliation.
    await core.journal('identification.session-abandoned', 'FAILED', {
      details: { sessionId: core.state.session.sessionId },
    });
  }
  core.setStep('ABANDONED');
  await core.journal('identification.abandoned', 'FAILED', { details: { idleSince: core.state.updatedAt } });
}

/** Personal data (never biometrics, stored by the activity), then ESU, then the identified e-wallet. */
async function register(core: IdentificationCore): Promise<void> {
  const s = core.state;
  const subject = core.subject!;
  const owner = { bettorId: s.bettorId, bettorRef: subject.bettorRef, iin: subject.iin };
  const consentId = s.consent?.consentId ?? '';
  try {
    let startedAtMs = Date.now();
    if (s.method === 'TWO_FACTOR' || s.method === 'PHOTO_MATCH') {
      core.consentActive();
      const key = `${core.keyPrefix}:personal-data-${s.sessionsOpened}-${core.matches}`;
      const receipt =
        s.method === 'TWO_FACTOR'
          ? await background.fetchPersonalData({ ...owner, authorizationCode: core.authorizationCode!, consentId, key })
          : await background.fetchMatchedPersonalData({
              ...owner,
              matchId: s.photoMatch!.matchId,
              consentId,
              decision: { decidedBy: s.decision!.decidedBy, decidedAt: s.decision!.decidedAt },
              key,
            });
      s.personalDataReceivedAt = receipt.receivedAt;
      await core.journal('identification.personal-data-received', 'OK', {
        startedAtMs,
        details: { fields: receipt.fields, method: s.method },
      });
    }
    core.consentActive();
    const identifiedAt = new Date().toISOString();
    startedAtMs = Date.now();
    const method = s.method!;
    const esu = await registration.registerBettorWithEsu({
      registrationId: s.bettorId,
      iin: subject.iin,
      identifiedAt,
      method,
      agent: 'NOMAPAY',
    });
    s.esuRegistrationId = esu.registrationId;
    await core.journal('identification.esu-registered', 'OK', {
      startedAtMs,
      details: { registrationId: esu.registrationId },
    });
    core.consentActive();
    startedAtMs = Date.now();
    const wallet = await registration.openIdentifiedWallet({
      walletId: s.bettorId,
      iin: subject.iin,
      identification: { method, identifiedAt },
    });
    s.walletId = wallet.walletId;
    s.identifiedAt = identifiedAt;
    core.setStep('IDENTIFIED');
    await core.journal('identification.identified', 'OK', {
      startedAtMs,
      details: { method: s.method, walletId: wallet.walletId },
    });
  } catch (err) {
    await registrationFailed(core, err);
  }
}

async function registrationFailed(core: IdentificationCore, err: unknown): Promise<void> {
  const type = failureType(err) ?? 'Unknown';
  if (isConsentRevoked(err)) {
    await core.consentRevokedAtSource();
  } else if (type === ErrorType.EsuRejected) {
    await core.refuse('BETTOR_RESTRICTED', `ESU refused to register the bettor: ${rootMessage(err)}`);
  } else if (refusalCodeOf(err) === 'AUTHORIZATION_CODE_INVALID') {
    // The code expired or was used (A6): the bettor repeats two-factor authentication.
    core.authorizationCode = undefined;
    core.setStep('AWAITING_METHOD');
    await core.journal('identification.authorization-code-refused', 'REJECTED', {
      details: { message: rootMessage(err) },
    });
  } else {
    core.state.failure = { type, message: rootMessage(err) };
    core.setStep('FAILED');
    await core.journal('identification.failed', 'FAILED', { details: { failure: core.state.failure } });
  }
}

/** MIGRATION mode: consent on record → registry → reference photo → policy decision (see the header). */
async function migrate(core: IdentificationCore): Promise<void> {
  const s = core.state;
  const m = core.input.migration!;
  const actor = `migration:${m.migrationId}`;
  core.pin({ iin: m.iin, phone: m.phone, bettorRef: m.bettorRef });
  const { agreementVersion, givenAt } = m.consent;
  s.consent = { consentId: `${core.keyPrefix}:consent`, agreementVersion, givenAt, registered: false };
  core.setStep('AWAITING_METHOD');
  await core.journal('identification.consent-on-record', 'OK', { actor, details: { agreementVersion } });
  try {
    await core.ensureConsentRegistered(m.iin, background);
    const startedAtMs = Date.now();
    const matchId = `${core.keyPrefix}:match-${++core.matches}`;
    const match = await background.matchReferencePhoto({
      matchId,
      iin: m.iin,
      consentId: s.consent.consentId,
      photoRef: m.photoRef,
    });
    const answer = await photoMatched(core, match, startedAtMs);
    if (answer.result === 'PHOTO_MATCHED') {
      s.decision = { positive: true, decidedBy: actor, decidedAt: new Date().toISOString() };
      const policy = 'score ≥ 85 % on the reference photo';
      await core.journal('identification.decision-recorded', 'OK', { actor, details: { policy, matchId } });
      s.method = 'PHOTO_MATCH';
      core.setStep('REGISTERING');
    } else if (answer.result === 'PHOTO_NOT_MATCHED') {
      await core.enterReview(`migration: the reference photo matched ${match.scorePercent} % (below 85 %)`);
    }
  } catch (err) {
    const type = failureType(err);
    if (isConsentRevoked(err)) {
      await core.consentRevokedAtSource();
    } else if (type === ErrorType.PhotoRequirementsNotMet) {
      await core.enterReview(`migration: the reference photo cannot be sent: ${rootMessage(err)}`);
    } else if (type === ErrorType.IdentificationRejected) {
      await core.refuse('TSOID_REFUSED', `Nomapay refused the identification: ${rootMessage(err)}`, actor);
    } else {
      await registrationFailed(core, err);
    }
  }
}

const SETTLED: Partial<Record<IdentificationStep, MigrationOutcome>> = {
  IDENTIFIED: 'IDENTIFIED',
  OFFLINE_REVIEW: 'IN_REVIEW',
  REFUSED: 'REFUSED',
  FAILED: 'FAILED',
  ABANDONED: 'FAILED',
};

/** Tells the parent migration, once, where this bettor ended up for its purposes (an in-review bettor counts). */
async function notifyMigration(core: IdentificationCore, alreadyIdentified: boolean): Promise<void> {
  const parent = workflowInfo().parent;
  let outcome = SETTLED[core.state.step];
  if (core.notifiedMigration || !parent || core.input.mode !== 'MIGRATION' || !outcome) return;
  if (alreadyIdentified) outcome = 'ALREADY_IDENTIFIED';
  core.notifiedMigration = true;
  const detail = core.state.refusal?.reason ?? core.state.failure?.type ?? core.state.review?.reason;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(bettorSettledSignal, {
      bettorId: core.state.bettorId,
      outcome,
      detail,
    });
  } catch (err) {
    // The migration has ended (cancelled): the bettor's status in PostgreSQL still says where it stands.
    log.warn('could not tell the migration', { error: String(err) });
  }
}
