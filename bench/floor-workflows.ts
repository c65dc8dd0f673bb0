import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

/**
 * The floor a deposit is measured against: the same shape of work (4 activities, 5 local activities for
 * status, one after the other) with every activity a no-op. The ratio deposit/floor is what our own code,
 * PostgreSQL and the simulators cost on top of Temporal itself.
 */
const { noop } = proxyActivities<{ noop(step: string): Promise<void> }>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<{ noopLocal(step: string): Promise<void> }>({ startToCloseTimeout: '5 seconds' });

export async function floor(): Promise<void> {
  await local.noopLocal('received');
  await noop('check');
  await local.noopLocal('eligible');
  await noop('debit');
  await local.noopLocal('debited');
  await noop('credit');
  await local.noopLocal('credited');
  await noop('record');
  await local.noopLocal('completed');
}
