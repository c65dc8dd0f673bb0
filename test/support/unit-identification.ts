import type { ConsentRegistration } from '../../domain/wire/identification.js';
import { uniqueId } from './ids.js';

/**
 * A consent the bettor `iin` gave to agreement v1 for a third-party transfer, as the bookmaker registers it at
 * ЦОИД (§26(1)): under a fresh id unless `consentId` is given, given at 2026-11-20 10:00 UTC unless `givenAt` is.
 */
export function consentRegistration(
  iin: string,
  { consentId = uniqueId('consent'), givenAt = '2026-11-20T10:00:00Z' }: { consentId?: string; givenAt?: string } = {},
): ConsentRegistration {
  return { consentId, iin, agreementVersion: 'v1', givenAt, scope: ['THIRD_PARTY_TRANSFER'] };
}
