import type { UpdateDefinition } from '@temporalio/common';
import { currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { ErrorType } from '../domain/errors.js';
import {
  LIVENESS_ATTEMPTS_PER_SESSION,
  LIVENESS_BLOCK_MS,
  needsOfflineCheck,
  photoMatchPasses,
  SMS_PER_SESSION,
  type IdentificationStep,
  type StepAnswer,
} from '../domain/identification.js';
import {
  DecideReview,
  GiveConsent,
  RecordDecision,
  RevokeConsent,
  StartTwoFactor,
  SubmitLiveness,
  SubmitPhoto,
  SubmitSmsCode,
} from '../domain/identification-commands.js';
import { photoRequirementProblems } from '../domain/photo.js';
import type { PhotoMatch } from '../domain/wire/identification.js';
import {
  asRejection,
  interactive,
  isConsentRevoked,
  parseOrReject,
  reject,
  type IdentificationCore,
} from './identification-core.js';
import * as m from './identification-messages.js';

/**
 * The steps the bookmaker's app drives, one update each (ЦОИД rules §§23–31 two-factor, §§11–17 photo match).
 * Each has a synchronous validator (the rule that would refuse it, checked before it is accepted); the
 * handler checks again under the lock, since another step may have moved the state while it queued.
 */
export function registerStepHandlers(core: IdentificationCore): void {
  const s = core.state;
  const session = () => s.session!;
  const updateKey = () => currentUpdateInfo()?.id ?? String(core.touches);

  function on<A extends unknown[]>(
    def: UpdateDefinition<StepAnswer, A>,
    check: (...args: A) => void,
    run: (...args: A) => Promise<StepAnswer>,
  ): void {
    const handler = (...args: A) =>
      core.serial(async () => {
        check(...args);
        core.touches += 1;
        try {
          return await run(...args);
        } catch (err) {
          if (isConsentRevoked(err) && !core.terminal) return core.consentRevokedAtSource();
          throw asRejection(err);
        }
      });
    setHandler(def, handler as never, { validator: check as never });
  }

  function expectStep(...steps: IdentificationStep[]): void {
    if (steps.includes(s.step)) return;
    if (s.step === 'LIVENESS_BLOCKED')
      reject(`liveness is blocked until ${s.blockedUntil} (§23.2); it lifts by itself`);
    reject(`not now: the identification is at ${s.step}; this step needs ${steps.join(' or ')}`);
  }

  function samePerson(iin: string): void {
    if (core.subject && core.subject.iin !== iin)
      reject('this identification is for another IIN', ErrorType.InvalidInput);
  }

  on(
    m.giveConsentUpdate,
    (cmd) => {
      expectStep('AWAITING_CONSENT');
      parseOrReject(GiveConsent, cmd);
    },
    async (cmd) => {
      const c = parseOrReject(GiveConsent, cmd);
      if (!c.accepted) {
        const why = 'the bettor did not accept the user agreement and the transfer of personal data (§§13, 25)';
        return core.refuse('CONSENT_REFUSED', why, 'bettor');
      }
      const givenAt = new Date().toISOString();
      s.consent = {
        consentId: `${core.keyPrefix}:consent`,
        agreementVersion: c.agreementVersion,
        givenAt,
        registered: false,
      };
      core.setStep('AWAITING_METHOD');
      await core.journal('identification.consent-given', 'OK', {
        actor: 'bettor',
        details: { agreementVersion: c.agreementVersion, clientTime: c.clientTime },
      });
      return core.answer('CONSENT_RECORDED', 'consent recorded: start two-factor authentication or send a photo');
    },
  );

  on(
    m.startTwoFactorUpdate,
    (cmd) => {
      const c = parseOrReject(StartTwoFactor, cmd);
      core.consentActive();
      // A new session only when none is open, or the open one has used both its SMS (§23.3, R22).
      if (!(s.step === 'SMS_CODE' && session().smsLeft === 0)) expectStep('AWAITING_METHOD');
      samePerson(c.iin);
    },
    async (cmd) => {
      const c = parseOrReject(StartTwoFactor, cmd);
      await core.ensureConsentRegistered(c.iin, interactive);
      const number = s.sessionsOpened + 1;
      const sessionId = `${core.keyPrefix}:session-${number}`;
      const startedAtMs = Date.now();
      const opened = await interactive.openTwoFactorSession({
        sessionId,
        iin: c.iin,
        phone: c.phone,
        consentId: s.consent!.consentId,
      });
      s.sessionsOpened = number;
      core.pin(c);
      if ('blockedUntil' in opened) {
        s.session = undefined;
        s.blockedUntil = opened.blockedUntil;
        core.setStep('LIVENESS_BLOCKED');
        await core.journal('identification.liveness-blocked', 'REJECTED', {
          startedAtMs,
          details: { sessionId, blockedUntil: s.blockedUntil },
        });
        return core.answer('LIVENESS_BLOCKED', `liveness is blocked until ${s.blockedUntil} (§23.2)`);
      }
      s.session = {
        sessionId,
        number,
        livenessAttemptsLeft: Math.min(LIVENESS_ATTEMPTS_PER_SESSION, opened.session.livenessAttemptsLeft),
        livenessPassed: false,
        smsLeft: Math.min(SMS_PER_SESSION, opened.session.smsLeft),
      };
      core.setStep('LIVENESS');
      await core.journal('identification.session-opened', 'OK', { startedAtMs, details: { sessionId } });
      return core.answer(
        'SESSION_OPENED',
        `session open: up to ${s.session.livenessAttemptsLeft} liveness checks (§23.2)`,
      );
    },
  );

  on(
    m.submitLivenessUpdate,
    (cmd) => {
      parseOrReject(SubmitLiveness, cmd);
      expectStep('LIVENESS');
      if (session().livenessAttemptsLeft <= 0) reject('no liveness checks left in this session (§23.2)');
    },
    async (cmd) => {
      const { livenessToken } = parseOrReject(SubmitLiveness, cmd);
      const current = session();
      const attempt = LIVENESS_ATTEMPTS_PER_SESSION - current.livenessAttemptsLeft + 1;
      const startedAtMs = Date.now();
      const key = `${current.sessionId}:liveness:${updateKey()}`;
      const verdict = await interactive.checkLiveness({ sessionId: current.sessionId, key, livenessToken });
      current.livenessAttemptsLeft = Math.max(0, Math.min(current.livenessAttemptsLeft - 1, verdict.attemptsLeft));
      await core.journal('identification.liveness-checked', verdict.passed ? 'OK' : 'REJECTED', {
        startedAtMs,
        details: { sessionId: current.sessionId, attempt, passed: verdict.passed, reason: verdict.reason },
      });
      if (verdict.passed) {
        current.livenessPassed = true;
        core.setStep('SMS_CODE');
        return core.answer('LIVENESS_PASSED', 'liveness passed: request the SMS code');
      }
      if (current.livenessAttemptsLeft > 0 && verdict.sessionStatus === 'OPEN') {
        return core.answer(
          'LIVENESS_FAILED',
          `liveness check failed: ${current.livenessAttemptsLeft} left in this session`,
        );
      }
      // The 4th failure ends the session and blocks liveness for 15 minutes (§23.2); the workflow's own
      // timer lifts the block. A session lost this way is one failed biometric verification (§16, A4).
      s.session = undefined;
      s.biometricFailures += 1;
      if (needsOfflineCheck(s.biometricFailures))
        return core.repeatedFailure(`${LIVENESS_ATTEMPTS_PER_SESSION} liveness checks failed`);
      const until = Math.max(
        Date.now() + LIVENESS_BLOCK_MS,
        verdict.blockedUntil ? Date.parse(verdict.blockedUntil) : 0,
      );
      s.blockedUntil = new Date(until).toISOString();
      core.setStep('LIVENESS_BLOCKED');
      await core.journal('identification.liveness-blocked', 'REJECTED', {
        details: { blockedUntil: s.blockedUntil, biometricFailures: s.biometricFailures },
      });
      return core.answer(
        'LIVENESS_BLOCKED',
        `${LIVENESS_ATTEMPTS_PER_SESSION} liveness checks failed: the session has ended and liveness is blocked ` +
          `until ${s.blockedUntil} (§23.2)`,
      );
    },
  );

  on(
    m.sendSmsCodeUpdate,
    () => {
      expectStep('SMS_CODE');
      if (session().smsLeft <= 0)
        reject(`at most ${SMS_PER_SESSION} SMS in a session (§23.3): start a new session for another code`);
    },
    async () => {
      const current = session();
      const number = SMS_PER_SESSION - current.smsLeft + 1;
      const startedAtMs = Date.now();
      const sms = await interactive.sendSmsCode({
        sessionId: current.sessionId,
        key: `${current.sessionId}:sms-${number}`,
      });
      current.smsLeft = Math.max(0, Math.min(current.smsLeft - 1, sms.smsLeft));
      current.codeExpiresAt = sms.expiresAt;
      await core.journal('identification.sms-sent', 'OK', {
        startedAtMs,
        details: { sessionId: current.sessionId, sms: number },
      });
      return core.answer(
        'SMS_SENT',
        `code sent, valid until ${sms.expiresAt}: ${current.smsLeft} more SMS in this session`,
      );
    },
  );

  on(
    m.submitSmsCodeUpdate,
    (cmd) => {
      parseOrReject(SubmitSmsCode, cmd);
      expectStep('SMS_CODE');
      if (session().smsLeft === SMS_PER_SESSION) reject('no code has been sent yet: request the SMS code first');
    },
    async (cmd) => {
      const { code } = parseOrReject(SubmitSmsCode, cmd);
      const current = session();
      const startedAtMs = Date.now();
      const check = await interactive.checkSmsCode({
        sessionId: current.sessionId,
        key: `${current.sessionId}:code:${updateKey()}`,
        code,
      });
      await core.journal('identification.code-checked', check.result === 'ACCEPTED' ? 'OK' : 'REJECTED', {
        startedAtMs,
        details: { sessionId: current.sessionId, result: check.result },
      });
      if (check.result === 'ACCEPTED') {
        core.authorizationCode = check.authorizationCode; // §28: kept only to be exchanged for the personal data (§30)
        s.method = 'TWO_FACTOR';
        core.setStep('REGISTERING');
        return core.answer('CODE_ACCEPTED', 'code accepted: the bettor is being registered');
      }
      const more = current.smsLeft > 0 ? 'request another SMS' : 'this session has sent its 2 SMS: start a new session';
      return check.result === 'WRONG_CODE'
        ? core.answer('WRONG_CODE', `the code is wrong: enter it again or ${more}`)
        : core.answer('EXPIRED_CODE', `the code has expired: ${more}`);
    },
  );

  on(
    m.submitPhotoUpdate,
    (cmd) => {
      const c = parseOrReject(SubmitPhoto, cmd);
      core.consentActive();
      expectStep('AWAITING_METHOD');
      samePerson(c.iin);
      const problems = photoRequirementProblems(c.photo.quality);
      if (problems.length)
        reject(`the photo does not meet annex 1: ${problems.join('; ')}`, ErrorType.PhotoRequirementsNotMet);
    },
    async (cmd) => {
      const c = parseOrReject(SubmitPhoto, cmd);
      await core.ensureConsentRegistered(c.iin, interactive);
      const matchId = `${core.keyPrefix}:match-${++core.matches}`;
      const startedAtMs = Date.now();
      const match = await interactive.matchPhoto({
        matchId,
        iin: c.iin,
        consentId: s.consent!.consentId,
        photo: c.photo,
      });
      core.pin(c);
      return photoMatched(core, match, startedAtMs);
    },
  );

  on(
    m.recordDecisionUpdate,
    (cmd) => {
      parseOrReject(RecordDecision, cmd);
      expectStep('AWAITING_DECISION');
      core.consentActive();
    },
    async (cmd) => {
      const d = parseOrReject(RecordDecision, cmd);
      s.decision = { positive: d.positive, decidedBy: d.decidedBy, decidedAt: new Date().toISOString() };
      await core.journal('identification.decision-recorded', d.positive ? 'OK' : 'REFUSED', {
        actor: d.decidedBy,
        details: { positive: d.positive, matchId: s.photoMatch?.matchId },
      });
      if (!d.positive) {
        return core.refuse(
          'BOOKMAKER_DECISION',
          'the bookmaker decided the biometric verification did not succeed (§12)',
          d.decidedBy,
        );
      }
      s.method = 'PHOTO_MATCH';
      core.setStep('REGISTERING');
      return core.answer(
        'DECISION_RECORDED',
        'decision recorded: personal data is asked with the signed consent confirmation (§§14(2), 17)',
      );
    },
  );

  on(
    m.decideReviewUpdate,
    (cmd) => {
      parseOrReject(DecideReview, cmd);
      expectStep('OFFLINE_REVIEW');
    },
    async (cmd) => {
      const d = parseOrReject(DecideReview, cmd);
      Object.assign(s.review!, { reviewer: d.reviewer, approved: d.approved });
      await core.journal('identification.review-decided', d.approved ? 'OK' : 'REFUSED', {
        actor: d.reviewer,
        details: { approved: d.approved, note: d.note },
      });
      if (!d.approved) return core.refuse('REVIEW_REFUSED', 'the offline check refused the bettor (§16)', d.reviewer);
      s.method = 'OFFLINE_REVIEW';
      core.setStep('REGISTERING');
      return core.answer('REVIEW_DECIDED', 'approved after the offline check: the bettor is being registered');
    },
  );

  on(
    m.revokeConsentUpdate,
    (cmd) => {
      parseOrReject(RevokeConsent, cmd);
      if (!s.consent || s.consent.revokedAt) reject('there is no active consent to revoke');
      if (core.terminal) reject(`the identification has ended (${s.step})`);
    },
    async (cmd) => {
      const r = parseOrReject(RevokeConsent, cmd);
      const consent = s.consent!;
      consent.revokedAt = r.revokedAt ?? new Date().toISOString();
      const actor = r.source === 'APP' ? 'bettor' : 'nomapay';
      await core.journal('identification.consent-revoked', 'OK', { actor, details: { source: r.source } });
      if (r.source === 'APP' && consent.registered) {
        // Relay to the registry; our side has already stopped asking, so a failed relay is journalled, not fatal.
        await interactive.revokeConsentAtNomapay({ consentId: consent.consentId }).catch((err) =>
          core.journal('identification.consent-revocation-relay-failed', 'FAILED', {
            details: { error: String(err) },
          }),
        );
      }
      // Registration in progress stops at its next consent check; every other step ends here.
      if (s.step !== 'REGISTERING') {
        return core.refuse(
          'CONSENT_REVOKED',
          'the bettor revoked consent: no further personal-data request is made (§§27, 31)',
        );
      }
      return core.answer('CONSENT_REVOKED', 'consent revoked: registration stops before its next request');
    },
  );
}

/** Shared by the app's photo and the migration's reference photo: ≥ 85 % passes (§17.1), below it is a failure. */
export async function photoMatched(
  core: IdentificationCore,
  match: PhotoMatch,
  startedAtMs: number,
): Promise<StepAnswer> {
  const s = core.state;
  const passed = photoMatchPasses(match.scorePercent);
  s.photoMatch = { matchId: match.matchId, scorePercent: match.scorePercent, passed };
  await core.journal('identification.photo-matched', passed ? 'OK' : 'REJECTED', {
    startedAtMs,
    details: { matchId: match.matchId, scorePercent: match.scorePercent, passed },
  });
  if (passed) {
    core.setStep('AWAITING_DECISION');
    return core.answer(
      'PHOTO_MATCHED',
      `match ${match.scorePercent} % (85 % or more passes, §17.1): record the bookmaker's decision`,
    );
  }
  s.biometricFailures += 1;
  if (needsOfflineCheck(s.biometricFailures)) return core.repeatedFailure(`the photo matched ${match.scorePercent} %`);
  return core.answer(
    'PHOTO_NOT_MATCHED',
    `match ${match.scorePercent} % is below 85 %: no personal data (§15(5)); try another photo`,
  );
}
