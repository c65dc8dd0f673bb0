import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ConsentConfirmation } from '../domain/wire/identification.js';

/**
 * Signs the consent confirmation ЦОИД asks with a photo-match personal-data request (seed 002 §14(2), §17(3)).
 * The rules want the participant's digital signature (ЭЦП) and do not say which CA (A8); the real key lives
 * with Nomapay's signing service. Until its API is known we sign with HMAC-SHA256 under a key shared with
 * Nomapay (CONSENT_SIGNING_KEY), which the simulator verifies: the shape (key id, algorithm, value over a
 * canonical text) is what a GOST/ЭЦП signer will fill in.
 */
export interface ConsentSigner {
  sign(confirmation: Omit<ConsentConfirmation, 'signature'>): ConsentConfirmation;
}

export function consentConfirmationText(c: Omit<ConsentConfirmation, 'signature'>): string {
  return `consent=${c.consentId};match=${c.matchId};confirmedAt=${c.confirmedAt}`;
}

export function createHmacConsentSigner({ keyId, key }: { keyId: string; key: string }): ConsentSigner {
  return {
    sign(confirmation) {
      const value = createHmac('sha256', key).update(consentConfirmationText(confirmation), 'utf8').digest('base64');
      return { ...confirmation, signature: { algorithm: 'HMAC-SHA256', keyId, value } };
    },
  };
}

export function verifyConsentConfirmation(c: ConsentConfirmation, keys: ReadonlyMap<string, string>): boolean {
  const key = keys.get(c.signature.keyId);
  if (!key) return false;
  const expected = createHmac('sha256', key).update(consentConfirmationText(c), 'utf8').digest();
  const given = Buffer.from(c.signature.value, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
