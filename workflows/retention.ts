import { proxyActivities } from '@temporalio/workflow';
import type { createRetentionActivities } from '../activities/retention.js';
import type { RetentionReport } from '../store/retention.js';

// A first run over years of data works in batches and may take long; each batch commits, so a retry resumes.
const { applyRetention } = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 minute', maximumInterval: '30 minutes' },
});

/**
 * The daily retention run (AFM order No. 9, item 4(7)), started by the `esu-bridge-retention` Schedule
 * (client/retention-schedule.ts): rows past their retain_until as of the run's start are removed or anonymised
 * (store/retention.ts) and the run is journalled.
 */
export async function retention(input: { dryRun?: boolean } = {}): Promise<RetentionReport> {
  return applyRetention({ asOf: new Date().toISOString(), dryRun: input.dryRun ?? false });
}
