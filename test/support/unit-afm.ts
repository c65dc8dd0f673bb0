import type { UnsignedAfmSubmission } from '../../domain/wire/afm.js';
import { requestJson } from './unit-http.js';
import { adultIin, uniqueId } from './ids.js';

/** bookmaker-1's AFM submission of 100 tiyn a new adult received just now, sent now under a fresh id; unsigned. */
export function afmSubmissionNow(): UnsignedAfmSubmission {
  const now = new Date().toISOString();
  return {
    submissionId: `afm-${uniqueId('dep')}`,
    sender: 'bookmaker-1',
    sentAt: now,
    record: { iin: adultIin(), receivedAt: now, receivedTiyn: 100 },
  };
}

/**
 * Has the AFM simulator at `afmUrl` reject the submission it acknowledged as `messageId` (its test-only admin
 * route), for `reason` (the IIN not in the register by default); the simulator's answer.
 */
export function rejectAtAfm(afmUrl: string, messageId: string, reason = 'not in the register') {
  return requestJson(afmUrl, 'POST', `/__admin/submissions/${messageId}/reject`, { code: 'IIN_UNKNOWN', reason });
}
