import type { ScheduleHandle } from '@temporalio/client';
import { expect } from 'vitest';

/**
 * A schedule made by its `ensure` call: created by the first call, left by the second, daily at `hour`:00 in
 * Almaty, starting `workflowType` on `taskQueue`.
 */
export async function expectDailyAlmatySchedule(
  handle: ScheduleHandle,
  ensure: () => Promise<string>,
  { hour, workflowType, taskQueue }: { hour: number; workflowType: string; taskQueue: string },
): Promise<void> {
  expect(await ensure()).toBe('CREATED');
  expect(await ensure()).toBe('EXISTS');
  const described = await handle.describe();
  expect(described.spec.timezone).toBe('Asia/Almaty');
  expect(described.spec.calendars?.[0]).toMatchObject({
    hour: [{ start: hour, end: hour, step: 1 }],
    minute: [{ start: 0, end: 0, step: 1 }],
  });
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType, taskQueue });
}
