import { readFileSync } from 'node:fs';
import type { AfmActivities } from '../../activities/afm.js';
import type { EsuSubmissionActivities } from '../../activities/esu-submissions.js';
import { createSubmissionCalendarActivities, type SubmissionStoreActivities } from '../../activities/submissions.js';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { parseMaintenanceWindows } from '../../domain/maintenance.js';
import { firstSubmissionId, type SubmissionInput, type SubmissionReceipt } from '../../domain/submission.js';
import { addDays, compileCalendar, isWorkingDay, localDate, startOfLocalDay } from '../../domain/working-days.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { env } from '../support/workflows.js';

export type SubmissionActivities = AfmActivities &
  EsuSubmissionActivities &
  SubmissionStoreActivities &
  ReturnType<typeof createSubmissionCalendarActivities>;

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** The real calendar file: the holidays these tests count are the ones ops ship. */
export const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
export const working = (date: string) => isWorkingDay(date, calendar);
export const iso = (ms: number) => new Date(ms).toISOString();

/** `hh:mm` local time (UTC+5) on a local date. */
export const localTime = (date: string, hhmm: string) =>
  startOfLocalDay(date, calendar) + Number(hhmm.slice(0, 2)) * HOUR + Number(hhmm.slice(3)) * MIN;

/** The first `hh:mm` at least an hour ahead of the test server's clock on a day that satisfies `ok`. */
export async function nextLocal(hhmm: string, ok: (date: string) => boolean): Promise<number> {
  const now = await env.currentTimeMs();
  for (let date = localDate(now, calendar); ; date = addDays(date, 1)) {
    const at = localTime(date, hhmm);
    if (at > now + HOUR && ok(date)) return at;
    if (date > '2027-12-31')
      throw new Error('no such day left in config/calendar/kz-working-days.json: add the next year');
  }
}

/** Skips the test server's clock forward to `ms` (not back). */
export async function travelTo(ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (ms > now) await env.sleep(ms - now);
}

/** Skips the test server's clock to `nextLocal(hhmm, ok)` and answers that instant. */
export async function travelToNext(hhmm: string, ok: (date: string) => boolean): Promise<number> {
  const at = await nextLocal(hhmm, ok);
  await travelTo(at);
  return at;
}

/** A day on which a window of one working day opens and closes: it and the next are working days. */
export const workingWithNext = (date: string) => working(date) && working(addDays(date, 1));

/** A deposit's AFM submission, first attempt, as the deposit saga starts it. */
export function afmSubmissionInput(overrides: Partial<SubmissionInput> = {}): SubmissionInput {
  const operationId = uniqueId('dep');
  return {
    submissionId: firstSubmissionId('AFM', operationId),
    operationId,
    operationKind: 'DEPOSIT',
    bettorRef: 'a'.repeat(64),
    attempt: 1,
    payload: {
      counterpart: 'AFM',
      record: { iin: adultIin(), receivedAt: '2026-12-04T18:55:00+05:00', receivedTiyn: 250_000 },
    },
    ...overrides,
  };
}

/** A counterpart's receipt of a record it took now: AFM's is not `final` (its verdict comes later), ESU's is. */
function receiptNow(messageId: string, final: boolean): SubmissionReceipt {
  const at = new Date().toISOString();
  return { messageId, acceptedAt: at, sentAt: at, receivedAt: at, final };
}

/**
 * Counterparts that accept every submission, for saga tests: a completed deposit or payout starts its AFM
 * submission on the same worker, and a submission whose activities are missing would hold the time-skipping
 * server's clock. The sagas' tests assert what the saga asked for (the child's input), not these.
 */
export function acceptingSubmissionActivities(): SubmissionActivities {
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
    sendAfmSubmission: async ({ submissionId }) => receiptNow(`AFM-${submissionId}`, false),
    getAfmVerdict: async ({ messageId }) => ({ messageId, status: 'ACCEPTED_FOR_PROCESSING' }),
    readAfmMessages: async () => ({ messages: [], hasMore: false }),
    sendEsuSubmission: async ({ submissionId }) => receiptNow(`ESU-${submissionId}`, true),
  };
}
