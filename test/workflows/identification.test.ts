import { describe, expect, it } from 'vitest';
import { StepRejectedError } from '../../client/identification.js';
import { InvalidRequestError } from '../../client/errors.js';
import { ErrorType } from '../../domain/errors.js';
import { adultIin, uniqueId } from '../support/ids.js';
import {
  CORRECT_CODE,
  events,
  expectRefused,
  fakeActivities,
  started,
  type FakeControls,
  useTidyTimeSkipping,
  withStarted,
} from './identification-fakes.js';
import { env, withWorker } from '../support/workflows.js';

useTidyTimeSkipping();

const PHONE = '+77011234567';

/** What the store knows of a bettor identified by two-factor authentication on 1 January 2026. */
const identifiedBefore = (): NonNullable<FakeControls['known']> => ({
  bettorId: 'x',
  bettorRef: 'r',
  status: 'IDENTIFIED',
  method: 'TWO_FACTOR',
  blockedUntil: null,
  reason: null,
  identifiedAt: '2026-01-01T00:00:00.000Z',
  walletId: 'w-1',
  esuRegistrationId: 'e-1',
  consentRevokedAt: null,
});

describe('identification by two-factor authentication', () => {
  it('records consent, opens a session, passes liveness and the SMS code, then registers with ESU and opens the wallet', async () => {
    const a = fakeActivities();
    const iin = adultIin();
    await withStarted(a, async (id) => {
      expect((await id.giveConsent({ accepted: true, agreementVersion: '2024-11' })).result).toBe('CONSENT_RECORDED');
      const opened = await id.startTwoFactor({ iin, phone: '+7 701 123-45-67' });
      expect(opened.result).toBe('SESSION_OPENED');
      expect(opened.state.session?.livenessAttemptsLeft).toBe(4);
      expect((await id.submitLiveness({ livenessToken: 'capture-1' })).result).toBe('LIVENESS_PASSED');
      expect((await id.sendSmsCode()).state.session?.smsLeft).toBe(1);
      expect((await id.submitSmsCode({ code: CORRECT_CODE })).result).toBe('CODE_ACCEPTED');
      const state = await id.result();

      expect(state.step).toBe('IDENTIFIED');
      expect(state.method).toBe('TWO_FACTOR');
      expect(state.walletId).toBe(state.bettorId);
      // Consent is registered before the session opens (§26), with the IIN checked and the phone normalised (§24).
      expect(a.registerConsent).toHaveBeenCalledWith(expect.objectContaining({ iin, agreementVersion: '2024-11' }));
      expect(a.openTwoFactorSession).toHaveBeenCalledWith(expect.objectContaining({ iin, phone: PHONE }));
      // The authorisation code, and only it, is exchanged for the personal data (§30).
      expect(a.fetchPersonalData).toHaveBeenCalledWith(
        expect.objectContaining({ authorizationCode: 'auth-code-1', iin }),
      );
      expect(a.fetchMatchedPersonalData).not.toHaveBeenCalled();
      expect(a.registerBettorWithEsu).toHaveBeenCalledTimes(1);
      expect(a.registerBettorWithEsu).toHaveBeenCalledWith(
        expect.objectContaining({ registrationId: state.bettorId, iin, method: 'TWO_FACTOR' }),
      );
      expect(a.openIdentifiedWallet).toHaveBeenCalledTimes(1);
      expect(events(a)).toEqual([
        'identification.started',
        'identification.consent-given',
        'identification.consent-registered',
        'identification.session-opened',
        'identification.liveness-checked',
        'identification.sms-sent',
        'identification.code-checked',
        'identification.personal-data-received',
        'identification.esu-registered',
        'identification.identified',
      ]);
      expect(a.statuses.at(-1)).toMatchObject({ status: 'IDENTIFIED', method: 'TWO_FACTOR', walletId: state.bettorId });
      // Journal details and the bettor status never carry the IIN or phone.
      expect(JSON.stringify(a.journal)).not.toContain(iin);
      expect(JSON.stringify(a.journal)).not.toContain(PHONE);
      const description = await env.client.workflow.getHandle(id.workflowId).describe();
      expect(description.typedSearchAttributes.get({ name: 'OperationStatus', type: 'KEYWORD' })).toBe('IDENTIFIED');
      expect(description.typedSearchAttributes.get({ name: 'BettorRef', type: 'KEYWORD' })).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('ends when the bettor refuses consent, and nothing is sent', async () => {
    const a = fakeActivities();
    await withStarted(a, async (id) => {
      const answer = await id.giveConsent({ accepted: false, agreementVersion: '2024-11' });
      expect(answer.result).toBe('REFUSED');
      const state = await expectRefused(id, 'CONSENT_REFUSED', a, ['registerConsent', 'openTwoFactorSession']);
      expect(state.step).toBe('REFUSED');
    });
  });

  it('checks IIN and phone before a (billed) session opens, and refuses steps out of order', async () => {
    const a = fakeActivities();
    await withStarted(a, async (id) => {
      const early = await id.startTwoFactor({ iin: adultIin(), phone: PHONE }).catch((e) => e);
      expect(early).toBeInstanceOf(StepRejectedError);
      expect((early as Error).message).toContain('consent has not been given');
      await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });

      const badIin = await id.startTwoFactor({ iin: '900517300129', phone: PHONE }).catch((e) => e);
      expect(badIin).toBeInstanceOf(InvalidRequestError);
      expect((badIin as Error).message).toContain('IIN check digit does not match');
      const badPhone = await id.startTwoFactor({ iin: adultIin(), phone: '+1 555 0100' }).catch((e) => e);
      expect((badPhone as InvalidRequestError).issues[0]?.field).toBe('phone');
      // The workflow's own validator refuses what a client that skips validation sends.
      const raw = await env.client.workflow
        .getHandle(id.workflowId)
        .executeUpdate('startTwoFactor', { args: [{ iin: '900517300129', phone: PHONE, bettorRef: 'a'.repeat(64) }] })
        .catch((e: unknown) => e);
      expect((raw as { cause?: { type?: string } }).cause?.type).toBe(ErrorType.InvalidInput);
      const sms = await id.sendSmsCode().catch((e) => e);
      expect((sms as StepRejectedError).type).toBe(ErrorType.IdentificationStepRejected);
      expect(a.openTwoFactorSession).not.toHaveBeenCalled();
      expect((await id.status()).step).toBe('AWAITING_METHOD');
    });
  });

  it('joins the running identification when the app starts it again', async () => {
    const a = fakeActivities();
    await withWorker(a, async (taskQueue) => {
      const bettorId = uniqueId('bettor');
      const first = await started(taskQueue, { bettorId });
      await first.giveConsent({ accepted: true, agreementVersion: '2024-11' });
      const second = await started(taskQueue, { bettorId });
      expect(second.joined).toBe(true);
      expect(second.workflowId).toBe(first.workflowId);
      expect((await second.status()).step).toBe('AWAITING_METHOD');
    });
  });

  it('answers at once, sending nothing, for a bettor identified before', async () => {
    const a = fakeActivities();
    a.known = identifiedBefore();
    await withStarted(a, async (id) => {
      const state = await id.result();
      expect(state).toMatchObject({ step: 'IDENTIFIED', walletId: 'w-1', identifiedAt: '2026-01-01T00:00:00.000Z' });
      expect(a.registerBettorWithEsu).not.toHaveBeenCalled();
      expect(a.registerConsent).not.toHaveBeenCalled();
    });
  });

  it('takes a consent revoked after the identification ended: recorded, relayed once, and the next identification asks for consent again (§§26–27, 31)', async () => {
    const a = fakeActivities();
    a.known = identifiedBefore();
    await withWorker(a, async (taskQueue) => {
      const bettorId = uniqueId('bettor');
      const ended = await started(taskQueue, { bettorId });
      expect((await ended.result()).step).toBe('IDENTIFIED');

      const revoked = await ended.revokeConsent({ source: 'APP' });
      expect(revoked.result).toBe('CONSENT_REVOKED');
      expect(a.revokeConsentAtNomapay).toHaveBeenCalledTimes(1);
      expect(a.revokeConsentAtNomapay).toHaveBeenCalledWith({ consentId: 'consent-1' });
      expect(a.journal.map((e) => e.event)).toEqual(
        expect.arrayContaining(['identification.consent-revoked', 'identification.consent-revocation-relayed']),
      );
      expect(a.journal.find((e) => e.event === 'identification.consent-revoked')).toMatchObject({
        actor: 'bettor',
        recordId: bettorId,
      });

      // The store now says the consent is revoked: a new identification is not answered from the old one.
      a.known = { ...a.known!, consentRevokedAt: revoked.state.consent?.revokedAt ?? new Date().toISOString() };
      const again = await started(taskQueue, { bettorId });
      expect((await again.status()).step).toBe('AWAITING_CONSENT');
    });
  });

  it('abandons an identification nobody touches for 7 days, journalling the billed session (§66)', async () => {
    const a = fakeActivities();
    await withStarted(a, async (id) => {
      await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
      await id.startTwoFactor({ iin: adultIin(), phone: PHONE });
      const before = await env.currentTimeMs();
      const state = await id.result();
      expect(state.step).toBe('ABANDONED');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(7 * 24 * 3600_000);
      expect(events(a).slice(-2)).toEqual(['identification.session-abandoned', 'identification.abandoned']);
    });
  });
});
