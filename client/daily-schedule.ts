import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/** A job Temporal runs once a day, in Almaty time: what its Schedule starts, and how long a missed run may wait. */
export interface DailyJob {
  scheduleId: string;
  /** The workflow each run starts: its type, its id, its arguments. */
  workflow: { type: string; id: string; args: unknown[] };
  at: { hour: number; minute: number };
  /** How late a run missed while Temporal was down is still made up. */
  catchupWindow: string;
}

/**
 * Creates the daily Schedule of a job: one run at a time (a run still going when the next is due skips it).
 * Idempotent: an existing Schedule is left as it is, so ops may pause it or move its hour in the Temporal UI
 * without a restart undoing that.
 */
export async function ensureDailySchedule(
  client: Client,
  taskQueue: string,
  job: DailyJob,
): Promise<'CREATED' | 'EXISTS'> {
  try {
    await client.schedule.create({
      scheduleId: job.scheduleId,
      spec: { calendars: [{ hour: job.at.hour, minute: job.at.minute }], timezone: 'Asia/Almaty' },
      action: {
        type: 'startWorkflow',
        workflowType: job.workflow.type,
        workflowId: job.workflow.id,
        taskQueue,
        args: job.workflow.args,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: job.catchupWindow },
    });
    return 'CREATED';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'EXISTS';
    throw err;
  }
}

/** A job's `ensure…Schedule(client, taskQueue, at)`: its daily Schedule, at the job's own hour unless told another. */
export function dailySchedule(job: DailyJob) {
  return (client: Client, taskQueue: string, at: DailyJob['at'] = job.at): Promise<'CREATED' | 'EXISTS'> =>
    ensureDailySchedule(client, taskQueue, { ...job, at });
}
