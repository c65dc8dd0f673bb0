import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_MAINTENANCE_WINDOWS, parseMaintenanceWindows } from '../domain/maintenance.js';
import { boolean, duration, invalid, parseEnv, type Env } from './env.js';

/** The shipped Kazakhstan calendar (config/calendar/kz-working-days.json), to be updated yearly from the decree. */
export const DEFAULT_WORKING_DAY_CALENDAR = fileURLToPath(new URL('./calendar/kz-working-days.json', import.meta.url));

const SubmissionEnv = z.object({
  WORKING_DAY_CALENDAR: z.string().min(1).default(DEFAULT_WORKING_DAY_CALENDAR),
  MAINTENANCE_WINDOWS: z.string().min(1).default(DEFAULT_MAINTENANCE_WINDOWS),
  SUBMISSION_POLL_INTERVAL: duration.default(3600_000),
  // The e-government integration rules, annex 2: a state service recovers within 3 hours; past that an officer looks.
  SUBMISSION_OUTAGE_DEADLINE: duration.default(3 * 3600_000),
  SUBMISSION_RETRY_PAUSE: duration.default(5 * 60_000),
  // Doubling from SUBMISSION_RETRY_PAUSE: one submission sends at most twice an hour through a long outage.
  SUBMISSION_RETRY_PAUSE_MAX: duration.default(30 * 60_000),
  SUBMISSION_REMINDER_AT: z
    .string()
    .regex(/^\d{1,2}%$/, 'must be a percentage of the due time like 50%')
    .refine((text) => Number(text.slice(0, -1)) > 0, 'must be more than 0%')
    .default('50%'),
  // The verdict reader (one per counterpart, on the worker's task queue).
  AFM_VERDICT_READER: boolean.default(true),
  AFM_VERDICT_FETCH_INTERVAL: duration.default(60_000),
  AFM_VERDICT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * Regulator submissions: the working-day calendar file, maintenance windows (the e-government integration rules,
 * item 48), how often AFM's verdict is polled, how long a counterpart may stay unreachable outside maintenance, the
 * officers' reminder; the verdict reader (AFM_VERDICT_FETCH_INTERVAL, 1 minute; AFM_VERDICT_PAGE_SIZE, 100;
 * AFM_VERDICT_READER=false leaves it to the push channel and the final check at each window's end).
 */
export function submissionConfig(env: Env = process.env) {
  const e = parseEnv(SubmissionEnv, env);
  let maintenance;
  try {
    maintenance = parseMaintenanceWindows(e.MAINTENANCE_WINDOWS);
  } catch (err) {
    throw invalid('MAINTENANCE_WINDOWS', (err as Error).message);
  }
  return {
    calendarPath: e.WORKING_DAY_CALENDAR,
    maintenanceWindows: e.MAINTENANCE_WINDOWS,
    maintenance,
    policy: {
      pollIntervalMs: e.SUBMISSION_POLL_INTERVAL,
      outageDeadlineMs: e.SUBMISSION_OUTAGE_DEADLINE,
      retryPauseMs: e.SUBMISSION_RETRY_PAUSE,
      retryPauseMaxMs: Math.max(e.SUBMISSION_RETRY_PAUSE, e.SUBMISSION_RETRY_PAUSE_MAX),
      reminderFraction: Number(e.SUBMISSION_REMINDER_AT.slice(0, -1)) / 100,
    },
    verdictReader: {
      enabled: e.AFM_VERDICT_READER,
      intervalMs: e.AFM_VERDICT_FETCH_INTERVAL,
      pageSize: e.AFM_VERDICT_PAGE_SIZE,
    },
  };
}
export type SubmissionConfig = ReturnType<typeof submissionConfig>;
