import { createHmac } from 'node:crypto';
import { canonicalJson } from '../domain/wire/common.js';

/**
 * The bettor reference: HMAC-SHA256 of the IIN under the bookmaker's secret key. It is what search
 * attributes, ledger account ids and the operations list carry instead of the IIN, so ops can filter
 * runs by bettor without personal data ever reaching Temporal's visibility store.
 */
export function bettorRef(iin: string, key: string): string {
  return createHmac('sha256', key).update(iin, 'utf8').digest('hex');
}

/** Fingerprint of a request body, kept in memo to tell a replay from a conflicting reuse of the same id. */
export function requestDigest(body: unknown, key: string): string {
  return createHmac('sha256', key).update(canonicalJson(body), 'utf8').digest('hex');
}
