import { readFileSync } from 'node:fs';
import type { AfmActivities } from '../../activities/afm.js';
import type { EsuSubmissionActivities } from '../../activities/esu-submissions.js';
import { createSubmissionCalendarActivities, type SubmissionStoreActivities } from '../../activities/submissions.js';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { parseMaintenanceWindows } from '../../domain/maintenance.js';
import { compileCalendar } from '../../domain/working-days.js';

export type SubmissionActivities = AfmActivities &
  EsuSubmissionActivities &
  SubmissionStoreActivities &
  ReturnType<typeof createSubmissionCalendarActivities>;

const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));

/**
 * Counterparts that accept every submission, for saga tests: a completed deposit or payout starts its AFM
 * submission on the same worker, and a submission whose activities are missing would hold the time-skipping
 * server's clock. The sagas' tests assert what the saga asked for (the child's input), not these.
 */
export function acceptingSubmissionActivities(): SubmissionActivities {
  const at = () => new Date().toISOString();
  return {
    ...createSubmissionCalendarActivities({
      calendar: async () => calendar,
      maintenance: parseMaintenanceWindows('off'),
      policy: {
        pollIntervalMs: 3_600_000,
        outageDeadlineMs: 3 * 3_600_000,
        retryPauseMs: 300_000,
        reminderFraction: 0.5,
      },
    }),
    recordSubmission: async () => undefined,
    sendAfmSubmission: async ({ submissionId }) => ({
      messageId: `AFM-${submissionId}`,
      acceptedAt: at(),
      sentAt: at(),
      receivedAt: at(),
      final: false,
    }),
    getAfmVerdict: async ({ messageId }) => ({ messageId, status: 'ACCEPTED_FOR_PROCESSING' }),
    readAfmMessages: async () => ({ messages: [], hasMore: false }),
    sendEsuSubmission: async ({ submissionId }) => ({
      messageId: `ESU-${submissionId}`,
      acceptedAt: at(),
      sentAt: at(),
      receivedAt: at(),
      final: true,
    }),
  };
}
