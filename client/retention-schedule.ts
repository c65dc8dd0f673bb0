import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const RETENTION_SCHEDULE_ID = 'esu-bridge-retention';

/**
 * Creates the daily retention Schedule (03:00 Almaty, the quiet hour; one run at a time, a missed run is
 * not made up: the next one removes the same rows). Idempotent: an existing Schedule is left as it is, so ops
 * may pause it or change its time in the Temporal UI without a restart undoing that.
 */
export async function ensureRetentionSchedule(
  client: Client,
  taskQueue: string,
  at: { hour: number; minute: number } = { hour: 3, minute: 0 },
): Promise<'CREATED' | 'EXISTS'> {
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { calendars: [{ hour: at.hour, minute: at.minute }], timezone: 'Asia/Almaty' },
      action: {
        type: 'startWorkflow',
        workflowType: 'retention',
        workflowId: 'Retention:daily',
        taskQueue,
        args: [{}],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
    return 'CREATED';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'EXISTS';
    throw err;
  }
}
