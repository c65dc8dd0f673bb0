import { expect } from 'vitest';
import type { EsuBridgeClient } from '../../client/index.js';
import { uniqueId } from './ids.js';

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
  const sms = await fetch(
    new URL(`/__admin/identification/sessions/${encodeURIComponent(opened.state.session!.sessionId)}/sms`, nomapayUrl),
  );
  const { code } = (await sms.json()) as { code: string };
  expect((await id.submitSmsCode({ code })).result).toBe('CODE_ACCEPTED');
  expect((await id.result()).step).toBe('IDENTIFIED');
  return id;
}
