import type { UnsignedAfmSubmission } from '../../domain/wire/afm.js';
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
