import { describe, expect, it } from 'vitest';
import { StepRejectedError } from '../../client/identification.js';
import { ErrorType } from '../../domain/errors.js';
import { adultIin } from '../support/ids.js';
import {
  CORRECT_CODE,
  EXPIRED_CODE,
  events,
  fakeActivities,
  useTidyTimeSkipping,
  consented,
} from './identification-fakes.js';
import { env, withWorker } from '../support/workflows.js';

useTidyTimeSkipping();

const PHONE = '+77011234567';

async function openSession(taskQueue: string, iin = adultIin()) {
  const id = await consented(taskQueue);
  await id.startTwoFactor({ iin, phone: PHONE });
  return id;
}

describe('ЦОИД limits on two-factor authentication', () => {
  it('allows 4 liveness checks, then ends the session and blocks liveness for 15 minutes, a block that lifts by itself (§23.2)', async () => {
    const a = fakeActivities();
    a.liveness.push(false, false, false, false);
    await withWorker(a, async (taskQueue) => {
      const iin = adultIin();
      const id = await openSession(taskQueue, iin);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await id.submitLiveness({ livenessToken: `capture-${i}` }));
      expect(answers.map((x) => x.result)).toEqual(['LIVENESS_FAILED', 'LIVENESS_FAILED', 'LIVENESS_FAILED']);
      expect(answers.map((x) => x.state.session?.livenessAttemptsLeft)).toEqual([3, 2, 1]);

      const blockedAt = await env.currentTimeMs();
      const fourth = await id.submitLiveness({ livenessToken: 'capture-3' });
      expect(fourth.result).toBe('LIVENESS_BLOCKED');
      const status = await id.status();
      expect(status.step).toBe('LIVENESS_BLOCKED');
      expect(status.session).toBeUndefined();
      const unblockAt = Date.parse(status.blockedUntil!);
      expect(unblockAt - blockedAt).toBeGreaterThanOrEqual(15 * 60_000);
      expect(unblockAt - blockedAt).toBeLessThan(16 * 60_000);

      // No fifth check, and no new session, while the block holds.
      const fifth = await id.submitLiveness({ livenessToken: 'capture-4' }).catch((e) => e);
      expect((fifth as StepRejectedError).message).toContain('liveness is blocked until');
      const early = await id.startTwoFactor({ iin, phone: PHONE }).catch((e) => e);
      expect(early).toBeInstanceOf(StepRejectedError);
      expect(a.checkLiveness).toHaveBeenCalledTimes(4);
      expect(a.openTwoFactorSession).toHaveBeenCalledTimes(1);

      await env.sleep('14 minutes');
      expect((await id.status()).step).toBe('LIVENESS_BLOCKED');
      await env.sleep('2 minutes');
      const lifted = await id.status();
      expect(lifted.step).toBe('AWAITING_METHOD');
      expect(lifted.blockedUntil).toBeUndefined();
      expect(lifted.biometricFailures).toBe(1);

      const again = await id.startTwoFactor({ iin, phone: PHONE });
      expect(again.result).toBe('SESSION_OPENED');
      expect(again.state.session?.number).toBe(2);
      expect((await id.submitLiveness({ livenessToken: 'capture-5' })).result).toBe('LIVENESS_PASSED');
      expect(events(a)).toContain('identification.liveness-unblocked');
      expect(a.statuses.find((st) => st.status === 'BLOCKED')?.blockedUntil).toBe(status.blockedUntil);
    });
  });

  it('sends at most 2 SMS in a session (§23.3); wrong and expired codes are clear answers; a new session allows more', async () => {
    const a = fakeActivities();
    await withWorker(a, async (taskQueue) => {
      const iin = adultIin();
      const id = await openSession(taskQueue, iin);
      await id.submitLiveness({ livenessToken: 'capture' });

      const beforeCode = await id.submitSmsCode({ code: CORRECT_CODE }).catch((e) => e);
      expect((beforeCode as StepRejectedError).message).toContain('request the SMS code first');

      expect((await id.sendSmsCode()).state.session?.smsLeft).toBe(1);
      const wrong = await id.submitSmsCode({ code: '111111' });
      expect(wrong.result).toBe('WRONG_CODE');
      expect(wrong.message).toContain('request another SMS');
      expect((await id.sendSmsCode()).state.session?.smsLeft).toBe(0);
      const expired = await id.submitSmsCode({ code: EXPIRED_CODE });
      expect(expired.result).toBe('EXPIRED_CODE');
      expect(expired.message).toContain('start a new session');

      const third = await id.sendSmsCode().catch((e) => e);
      expect(third).toBeInstanceOf(StepRejectedError);
      expect((third as StepRejectedError).type).toBe(ErrorType.IdentificationStepRejected);
      expect((third as StepRejectedError).message).toContain('at most 2 SMS in a session');
      expect(a.sendSmsCode).toHaveBeenCalledTimes(2);

      // A third code needs a new session (R22): liveness again, then SMS again.
      expect((await id.startTwoFactor({ iin, phone: PHONE })).state.session?.number).toBe(2);
      await id.submitLiveness({ livenessToken: 'capture-2' });
      await id.sendSmsCode();
      expect((await id.submitSmsCode({ code: CORRECT_CODE })).result).toBe('CODE_ACCEPTED');
      expect((await id.result()).step).toBe('IDENTIFIED');
      expect(a.sendSmsCode).toHaveBeenCalledTimes(3);
    });
  });

  it('does not count passed liveness or code mistakes as biometric failures', async () => {
    const a = fakeActivities();
    a.liveness.push(false, true);
    await withWorker(a, async (taskQueue) => {
      const id = await openSession(taskQueue);
      expect((await id.submitLiveness({ livenessToken: 'c1' })).result).toBe('LIVENESS_FAILED');
      expect((await id.submitLiveness({ livenessToken: 'c2' })).result).toBe('LIVENESS_PASSED');
      await id.sendSmsCode();
      await id.submitSmsCode({ code: '222222' });
      expect((await id.status()).biometricFailures).toBe(0);
    });
  });
});
