import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { bettorRef } from '../crypto/bettor-ref.js';
import { iinCheckDigit } from '../domain/iin.js';

/**
 * How the console shows personal data, applied to what the Temporal UI decodes through the console's codec
 * endpoint too, so an officer sees a run in the UI exactly as in the console (ЦОИД rules §§9–10: the IIN is shown
 * to no one who does not need it).
 *   IIN    the console never shows it: the bettor appears by keyed reference, its first 16 hex digits and "…"
 *          (console/static/app.js, "Bettor ref"). A decoded IIN becomes that same short reference.
 *   phone  the console never shows it: hidden.
 * Only `json/plain` payloads are read (what the SDK's default converter writes); a payload of any other encoding
 * is not shown at all, since its content cannot be checked for personal data.
 */
export const HIDDEN = '(hidden)';
const PHONE = /^\+77\d{9}$/;

/** The bettor reference as the console lists it. */
export function shortBettorRef(ref: string): string {
  return ref.slice(0, 16) + '…';
}

/** The IIN as the console shows it: the short form of its keyed reference. */
export function maskIin(iin: string, bettorRefKey: string): string {
  return shortBettorRef(bettorRef(iin, bettorRefKey));
}

function looksLikeIin(value: string): boolean {
  return /^\d{12}$/.test(value) && iinCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/**
 * A copy of a decoded JSON value with every IIN and phone masked, whatever the field is called. The short
 * references of the bettors met are added to `seen` (for the journal: whose data was read).
 */
export function maskPersonalData(
  value: unknown,
  bettorRefKey: string,
  seen: Set<string> = new Set(),
  key = '',
): unknown {
  if (typeof value === 'string') {
    if (key === 'iin' || looksLikeIin(value)) {
      const masked = maskIin(value, bettorRefKey);
      seen.add(masked);
      return masked;
    }
    if (key === 'phone' || PHONE.test(value)) return HIDDEN;
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item, bettorRefKey, seen));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, bettorRefKey, seen, k)]));
  return value;
}

const JSON_PLAIN = 'json/plain';
const text = (bytes: Uint8Array | null | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

/** A decoded payload as an officer may see it: JSON with personal data masked; anything else withheld. */
export function maskPayload(payload: Payload, bettorRefKey: string, seen: Set<string> = new Set()): Payload {
  const encoding = text(payload.metadata?.[METADATA_ENCODING_KEY]);
  if (encoding === 'binary/null' || !payload.data?.length) return payload;
  const metadata = { [METADATA_ENCODING_KEY]: new TextEncoder().encode(JSON_PLAIN) };
  if (encoding !== JSON_PLAIN)
    return { metadata, data: new TextEncoder().encode(JSON.stringify(`${HIDDEN}: a ${encoding ?? 'raw'} payload`)) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(payload.data)!);
  } catch {
    return { metadata, data: new TextEncoder().encode(JSON.stringify(`${HIDDEN}: not JSON`)) };
  }
  return { metadata, data: new TextEncoder().encode(JSON.stringify(maskPersonalData(parsed, bettorRefKey, seen))) };
}
