import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const RECONCILIATION_SCHEDULE_ID = 'esu-bridge-reconciliation';

/**
 * Creates the daily reconciliation Schedule: 06:00 Almaty, for the previous Almaty day (the workflow takes the
 * day before its start when given none; by 06:00 every operation of that day is past its one-hour grace period).
 * One run at a time; a run missed while Temporal was down is made up within 6 hours, else the day is run on
 * demand (`reconcile run --day D`). Idempotent like the retention Schedule: an existing Schedule is left as it
 * is, so ops may pause it or move its hour in the Temporal UI without a restart undoing that.
 */
export async function ensureReconciliationSchedule(
  client: Client,
  taskQueue: string,
  at: { hour: number; minute: number } = { hour: 6, minute: 0 },
): Promise<'CREATED' | 'EXISTS'> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILIATION_SCHEDULE_ID,
      spec: { calendars: [{ hour: at.hour, minute: at.minute }], timezone: 'Asia/Almaty' },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconciliation',
        workflowId: 'Reconciliation:daily',
        taskQueue,
        args: [{ trigger: 'SCHEDULE' }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
    });
    return 'CREATED';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'EXISTS';
    throw err;
  }
}
