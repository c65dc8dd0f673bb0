import { describe, expect, it } from 'vitest';
import { StepRejectedError } from '../../client/identification.js';
import { ErrorType } from '../../domain/errors.js';
import { adultIin } from '../support/ids.js';
import {
  events,
  fakeActivities,
  PHOTO,
  refusal,
  useTidyTimeSkipping,
  withConsented,
  expectRefused,
} from './identification-fakes.js';
import { env } from '../support/workflows.js';

useTidyTimeSkipping();

describe('identification by photo match', () => {
  it('passes a score of exactly 85 % and fails 84 % (§17.1); personal data only after the bookmaker decides (§17.4)', async () => {
    const a = fakeActivities();
    a.scores.push(84, 85);
    await withConsented(a, async (id) => {
      const iin = adultIin();
      const low = await id.submitPhoto({ iin, photo: PHOTO });
      expect(low.result).toBe('PHOTO_NOT_MATCHED');
      expect(low.state.step).toBe('AWAITING_METHOD');
      expect(low.state.biometricFailures).toBe(1);
      const exact = await id.submitPhoto({ iin, photo: PHOTO });
      expect(exact.result).toBe('PHOTO_MATCHED');
      expect(exact.state.photoMatch).toMatchObject({ scorePercent: 85, passed: true });
      expect(exact.state.step).toBe('AWAITING_DECISION');
      expect(a.fetchMatchedPersonalData).not.toHaveBeenCalled();

      const decided = await id.recordDecision({ positive: true, decidedBy: 'kyc.officer' });
      expect(decided.result).toBe('DECISION_RECORDED');
      const state = await id.result();
      expect(state.step).toBe('IDENTIFIED');
      expect(state.method).toBe('PHOTO_MATCH');
      expect(a.fetchMatchedPersonalData).toHaveBeenCalledTimes(1);
      expect(a.fetchMatchedPersonalData).toHaveBeenCalledWith(
        expect.objectContaining({
          iin,
          matchId: exact.state.photoMatch!.matchId,
          decision: expect.objectContaining({ decidedBy: 'kyc.officer' }),
        }),
      );
      expect(a.journal.find((e) => e.event === 'identification.decision-recorded')?.actor).toBe('kyc.officer');
    });
  });

  it('refuses a photo that fails annex 1 before sending it', async () => {
    const a = fakeActivities();
    await withConsented(a, async (id) => {
      const photo = {
        ...PHOTO,
        quality: { ...PHOTO.quality, widthPx: 600, heightPx: 300, glasses: 'TINTED' as const },
      };
      const error = await id.submitPhoto({ iin: adultIin(), photo }).catch((e) => e);
      expect(error).toBeInstanceOf(StepRejectedError);
      expect((error as StepRejectedError).type).toBe(ErrorType.PhotoRequirementsNotMet);
      expect((error as Error).message).toContain('640×360');
      expect((error as Error).message).toContain('tinted');
      expect(a.matchPhoto).not.toHaveBeenCalled();
      expect(a.registerConsent).not.toHaveBeenCalled();
    });
  });

  it('refuses the bettor when the bookmaker decides against the match', async () => {
    const a = fakeActivities();
    await withConsented(a, async (id) => {
      await id.submitPhoto({ iin: adultIin(), photo: PHOTO });
      expect((await id.recordDecision({ positive: false, decidedBy: 'kyc.officer' })).result).toBe('REFUSED');
      await expectRefused(id, 'BOOKMAKER_DECISION', a, ['fetchMatchedPersonalData']);
    });
  });
});

describe('repeated biometric failure (§16)', () => {
  it('sends the bettor to offline review on the third failure; an approval registers them without ЦОИД data', async () => {
    const a = fakeActivities();
    a.scores.push(40, 60, 70);
    await withConsented(a, async (id) => {
      const iin = adultIin();
      expect((await id.submitPhoto({ iin, photo: PHOTO })).result).toBe('PHOTO_NOT_MATCHED');
      expect((await id.submitPhoto({ iin, photo: PHOTO })).result).toBe('PHOTO_NOT_MATCHED');
      const third = await id.submitPhoto({ iin, photo: PHOTO });
      expect(third.result).toBe('IN_REVIEW');
      expect(third.state.step).toBe('OFFLINE_REVIEW');
      expect(third.state.biometricFailures).toBe(3);
      expect(a.statuses.at(-1)?.status).toBe('IN_REVIEW');
      const fourth = await id.submitPhoto({ iin, photo: PHOTO }).catch((e) => e);
      expect(fourth).toBeInstanceOf(StepRejectedError);

      expect((await id.decideReview({ approved: true, reviewer: 'branch.almaty.7' })).result).toBe('REVIEW_DECIDED');
      const state = await id.result();
      expect(state).toMatchObject({ step: 'IDENTIFIED', method: 'OFFLINE_REVIEW' });
      expect(a.fetchMatchedPersonalData).not.toHaveBeenCalled();
      expect(a.registerBettorWithEsu).toHaveBeenCalledWith(expect.objectContaining({ method: 'OFFLINE_REVIEW', iin }));
    });
  });

  it('refuses on the third failure when the bookmaker chose refusal', async () => {
    const a = fakeActivities();
    a.scores.push(10, 10, 10);
    await withConsented(
      a,
      async (id) => {
        const iin = adultIin();
        await id.submitPhoto({ iin, photo: PHOTO });
        await id.submitPhoto({ iin, photo: PHOTO });
        expect((await id.submitPhoto({ iin, photo: PHOTO })).result).toBe('REFUSED');
        expect((await id.result()).refusal?.reason).toBe('BIOMETRIC_FAILURES');
      },
      { onRepeatedBiometricFailure: 'REFUSE' },
    );
  });

  it('escalates an undecided review after 24 hours and refuses after 72', async () => {
    const a = fakeActivities();
    a.scores.push(10, 10, 10);
    await withConsented(a, async (id) => {
      const iin = adultIin();
      for (let i = 0; i < 3; i++) await id.submitPhoto({ iin, photo: PHOTO });
      const handle = env.client.workflow.getHandle(id.workflowId);
      await env.sleep('23 hours');
      expect((await id.status()).review?.escalatedAt).toBeUndefined();
      await env.sleep('2 hours');
      expect((await id.status()).review?.escalatedAt).toBeDefined();
      expect((await handle.describe()).typedSearchAttributes.get({ name: 'OperationStatus', type: 'KEYWORD' })).toBe(
        'REVIEW_ESCALATED',
      );
      expect(events(a)).toContain('identification.review-escalated');
      const state = await id.result();
      expect(state.refusal?.reason).toBe('REVIEW_TIMED_OUT');
      expect(Date.parse(state.updatedAt) - Date.parse(state.review!.requestedAt)).toBeGreaterThanOrEqual(72 * 3600_000);
    });
  });
});

describe('revoked consent (§§26–27, 31)', () => {
  it('stops every later personal-data request when the bettor revokes in the app, and relays it', async () => {
    const a = fakeActivities();
    await withConsented(a, async (id) => {
      await id.submitPhoto({ iin: adultIin(), photo: PHOTO });
      const revoked = await id.revokeConsent({ source: 'APP' });
      expect(revoked.result).toBe('REFUSED');
      expect(a.revokeConsentAtNomapay).toHaveBeenCalledTimes(1);
      const decision = await id.recordDecision({ positive: true, decidedBy: 'kyc.officer' }).catch((e) => e);
      expect(decision).toBeInstanceOf(StepRejectedError);
      await expectRefused(id, 'CONSENT_REVOKED', a, ['fetchMatchedPersonalData', 'registerBettorWithEsu']);
    });
  });

  it('stops when Nomapay answers that the consent was revoked in id.npck.kz', async () => {
    const a = fakeActivities({
      fetchPersonalData: async () => {
        throw refusal(ErrorType.IdentificationRejected, 'CONSENT_REVOKED');
      },
    });
    await withConsented(a, async (id) => {
      await id.startTwoFactor({ iin: adultIin(), phone: '+77011234567' });
      await id.submitLiveness({ livenessToken: 'capture' });
      await id.sendSmsCode();
      await id.submitSmsCode({ code: '123456' });
      const state = await expectRefused(id, 'CONSENT_REVOKED', a, ['registerBettorWithEsu', 'openIdentifiedWallet']);
      expect(state.consent?.revokedAt).toBeDefined();
      expect(a.fetchPersonalData).toHaveBeenCalledTimes(1); // a refusal is not retried
    });
  });

  it('stops registration before its next request when consent is revoked while personal data is being fetched', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let fetching!: () => void;
    const inFlight = new Promise<void>((resolve) => (fetching = resolve));
    const a = fakeActivities({
      fetchMatchedPersonalData: async () => {
        fetching();
        await gate;
        return { receivedAt: new Date().toISOString(), fields: ['iin'] };
      },
    });
    await withConsented(a, async (id) => {
      await id.submitPhoto({ iin: adultIin(), photo: PHOTO });
      await id.recordDecision({ positive: true, decidedBy: 'kyc.officer' });
      await inFlight;
      expect((await id.revokeConsent({ source: 'APP' })).result).toBe('CONSENT_REVOKED');
      release();
      await expectRefused(id, 'CONSENT_REVOKED', a, ['registerBettorWithEsu', 'openIdentifiedWallet']);
    });
  });

  it('refuses a new session once consent is revoked', async () => {
    const a = fakeActivities();
    await withConsented(a, async (id) => {
      await id.startTwoFactor({ iin: adultIin(), phone: '+77011234567' });
      await id.revokeConsent({ source: 'NPCK' });
      expect(a.revokeConsentAtNomapay).not.toHaveBeenCalled(); // it came from the registry
      const late = await id.submitLiveness({ livenessToken: 'capture' }).catch((e) => e);
      expect(late).toBeInstanceOf(StepRejectedError);
      expect((await id.result()).refusal?.reason).toBe('CONSENT_REVOKED');
    });
  });
});
