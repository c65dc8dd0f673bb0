import { expect } from 'vitest';
import type { EsuBridgeClient } from '../../client/index.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { uniqueId } from './ids.js';
import { simAdmin } from './sim-admin.js';

/** A photo of good quality, as the app sends it. */
export const TEST_PHOTO = { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY };

/**
 * Takes a new bettor through identification as the app would: consent, two-factor with `iin`, liveness, and the SMS
 * code read back from the NomaPay simulator at `nomapayUrl`. Expects the code accepted and the bettor IDENTIFIED.
 */
export async function identifyBettor(bridge: EsuBridgeClient, nomapayUrl: string, iin: string) {
  const id = await bridge.startIdentification({ bettorId: uniqueId('bettor') });
  await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
  const opened = await id.startTwoFactor({ iin, phone: '+7 701 123 45 67' });
  await id.submitLiveness({ livenessToken: 'capture-1' });
  await id.sendSmsCode();
  const code = await simAdmin(nomapayUrl).smsCode(opened.state.session!.sessionId);
  expect((await id.submitSmsCode({ code })).result).toBe('CODE_ACCEPTED');
  expect((await id.result()).step).toBe('IDENTIFIED');
  return id;
}

/**
 * Takes a new bettor through identification by photo match: the Nomapay simulator at `nomapayUrl` scores `iin`'s
 * photo `photoScore`, the bettor consents and sends TEST_PHOTO, the bookmaker decides yes. Expects PHOTO_MATCHED,
 * then IDENTIFIED; answers the identification and the bettor's id.
 */
export async function identifyByPhoto(bridge: EsuBridgeClient, nomapayUrl: string, iin: string, photoScore: number) {
  await simAdmin(nomapayUrl).setPerson({ iin, photoScore });
  const bettorId = uniqueId('bettor');
  const id = await bridge.startIdentification({ bettorId });
  await id.giveConsent({ accepted: true, agreementVersion: '2024-11' });
  expect((await id.submitPhoto({ iin, photo: TEST_PHOTO })).result).toBe('PHOTO_MATCHED');
  await id.recordDecision({ positive: true, decidedBy: 'kyc.officer' });
  expect((await id.result()).step).toBe('IDENTIFIED');
  return { id, bettorId };
}
