import {
  LIVENESS_ATTEMPTS_PER_SESSION,
  LIVENESS_BLOCK_MS,
  needsOfflineCheck,
  SMS_PER_SESSION,
} from '../../domain/identification.js';
import { StartTwoFactor, SubmitLiveness, SubmitSmsCode } from '../../domain/identification-commands.js';
import { interactive, parseOrReject, reject, type IdentificationCore } from '../identification-core.js';
import {
  sendSmsCodeUpdate,
  startTwoFactorUpdate,
  submitLivenessUpdate,
  submitSmsCodeUpdate,
} from '../identification-messages.js';
import { expectStep, onStep, samePerson, updateKey } from './step.js';

/**
 * Two-factor authentication (ЦОИД rules §§23–31): a session with up to four liveness checks, then up to two
 * SMS one-time codes; the accepted code's authorization is exchanged for the personal data.
 */
export function registerTwoFactorSteps(core: IdentificationCore): void {
  const s = core.state;
  const session = () => s.session!;

  onStep(
    core,
    startTwoFactorUpdate,
    (cmd) => {
      const c = parseOrReject(StartTwoFactor, cmd);
      core.consentActive();
      // A new session only when none is open, or the open one has used both its SMS (§23.3, R22).
      if (!(s.step === 'SMS_CODE' && session().smsLeft === 0)) expectStep(core, 'AWAITING_METHOD');
      samePerson(core, c.iin);
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

  onStep(
    core,
    submitLivenessUpdate,
    (cmd) => {
      parseOrReject(SubmitLiveness, cmd);
      expectStep(core, 'LIVENESS');
      if (session().livenessAttemptsLeft <= 0) reject('no liveness checks left in this session (§23.2)');
    },
    async (cmd) => {
      const { livenessToken } = parseOrReject(SubmitLiveness, cmd);
      const current = session();
      const attempt = LIVENESS_ATTEMPTS_PER_SESSION - current.livenessAttemptsLeft + 1;
      const startedAtMs = Date.now();
      const key = `${current.sessionId}:liveness:${updateKey(core)}`;
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

  onStep(
    core,
    sendSmsCodeUpdate,
    () => {
      expectStep(core, 'SMS_CODE');
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

  onStep(
    core,
    submitSmsCodeUpdate,
    (cmd) => {
      parseOrReject(SubmitSmsCode, cmd);
      expectStep(core, 'SMS_CODE');
      if (session().smsLeft === SMS_PER_SESSION) reject('no code has been sent yet: request the SMS code first');
    },
    async (cmd) => {
      const { code } = parseOrReject(SubmitSmsCode, cmd);
      const current = session();
      const startedAtMs = Date.now();
      const check = await interactive.checkSmsCode({
        sessionId: current.sessionId,
        key: `${current.sessionId}:code:${updateKey(core)}`,
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
}
