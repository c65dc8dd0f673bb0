import { createHmac, timingSafeEqual } from 'node:crypto';
import { afmCallbackSigningText, type AfmCallback, type UnsignedAfmCallback } from '../domain/wire/afm.js';

/**
 * AFM's signature on the verdicts it pushes to the bookmaker (seed 004 §§54, 59: every message carries its
 * sender's signature): HMAC-SHA256 over the canonical JSON of the callback without its signature, under the key
 * agreed with AFM (AFM_CALLBACK_KEY_ID / AFM_CALLBACK_KEY), the shape a GOST/ЭЦП verifier will fill in.
 */
export interface CallbackKey {
  keyId: string;
  key: string;
}

export function signAfmCallback(callback: UnsignedAfmCallback, { keyId, key }: CallbackKey): AfmCallback {
  const value = createHmac('sha256', key).update(afmCallbackSigningText(callback), 'utf8').digest('base64');
  return { ...callback, signature: { algorithm: 'HMAC-SHA256', keyId, value } };
}

/** Verifies over the body as received (before any normalisation), so what is checked is what AFM signed. */
export function verifyAfmCallback(callback: { signature: { algorithm: string; keyId: string; value: string } } & Record<string, unknown>, keys: ReadonlyMap<string, string>): boolean {
  const key = keys.get(callback.signature.keyId);
  if (!key || callback.signature.algorithm !== 'HMAC-SHA256') return false;
  const { signature, ...unsigned } = callback;
  const expected = createHmac('sha256', key).update(afmCallbackSigningText(unsigned as UnsignedAfmCallback), 'utf8').digest();
  const given = Buffer.from(signature.value, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
