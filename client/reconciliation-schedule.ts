import { dailySchedule } from './daily-schedule.js';

export const RECONCILIATION_SCHEDULE_ID = 'esu-bridge-reconciliation';

/**
 * Creates the daily reconciliation Schedule: 06:00 Almaty, for the previous Almaty day (the workflow takes the
 * day before its start when given none; by 06:00 every operation of that day is past its one-hour grace period).
 * One run at a time; a run missed while Temporal was down is made up within 6 hours, else the day is run on
 * demand (`reconcile run --day D`). Idempotent like the retention Schedule.
 */
export const ensureReconciliationSchedule = dailySchedule({
  scheduleId: RECONCILIATION_SCHEDULE_ID,
  workflow: { type: 'reconciliation', id: 'Reconciliation:daily', args: [{ trigger: 'SCHEDULE' }] },
  at: { hour: 6, minute: 0 },
  catchupWindow: '6 hours',
});
