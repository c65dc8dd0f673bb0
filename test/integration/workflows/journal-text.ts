import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JournalActivities, StepRecord } from '../../../activities/journal.js';

// As the sagas journal their steps: retried without a limit, so a value PostgreSQL refuses must not retry.
const retry = { initialInterval: '50 milliseconds', maximumInterval: '200 milliseconds' };
const journal = proxyActivities<JournalActivities>({ startToCloseTimeout: '5 seconds', retry });
const localJournal = proxyLocalActivities<JournalActivities>({ startToCloseTimeout: '5 seconds', retry });

/** Journals one step exactly as given: a test-only workflow that lets a value reach PostgreSQL unvalidated. */
export async function journalText(step: StepRecord, local = false): Promise<void> {
  await (local ? localJournal : journal).recordStep(step);
}
