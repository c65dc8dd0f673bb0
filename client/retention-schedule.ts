import { dailySchedule } from './daily-schedule.js';

export const RETENTION_SCHEDULE_ID = 'esu-bridge-retention';

/**
 * Creates the daily retention Schedule (03:00 Almaty, the quiet hour; one run at a time, a missed run is
 * not made up: the next one removes the same rows). Idempotent: an existing Schedule is left as it is.
 */
export const ensureRetentionSchedule = dailySchedule({
  scheduleId: RETENTION_SCHEDULE_ID,
  workflow: { type: 'retention', id: 'Retention:daily', args: [{}] },
  at: { hour: 3, minute: 0 },
  catchupWindow: '1 hour',
});
