import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createReconciliationActivities } from '../activities/reconciliation.js';
import {
  DEFAULT_GRACE_MINUTES,
  ReconciliationCounterpart,
  type CounterpartCounts,
  type DifferenceSource,
  type ReconciliationInput,
  type ReconciliationResult,
} from '../domain/reconciliation.js';
import { almatyDay } from '../domain/wire/listings.js';

type Activities = ReturnType<typeof createReconciliationActivities>;

// A listing page is a short read at a counterpart: retried with backoff for up to an hour, then the part is
// reported as not reconciled (INCOMPLETE) instead of failing the whole day.
const listing = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});
// The comparison reads a day of our records and may look up a few hundred of them at the counterpart.
const compare = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});
// Our own database: retried until it answers.
const store = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A page loop stops here whatever a counterpart's cursor says (500 records a page: 5 million a day). */
const MAX_PAGES = 10_000;

/**
 * The daily reconciliation (issue 13) of one Almaty day: each counterpart's listing fetched page by page and
 * compared with our records, in parallel, and the ledger's internal checks, each part's failure kept in its
 * counts. Started by the `esu-bridge-reconciliation` Schedule at 06:00 Almaty for the previous
 * day (client/reconciliation-schedule.ts), or for any day on demand (client/reconciliation.ts). What it finds
 * is in PostgreSQL (migration 017); the workflow carries counts only.
 */
export async function reconciliation(input: ReconciliationInput = {}): Promise<ReconciliationResult> {
  const info = workflowInfo();
  const startedMs = Date.now();
  const day = input.day ?? almatyDay(startedMs - 24 * 3600_000);
  const graceMinutes = input.graceMinutes ?? DEFAULT_GRACE_MINUTES;
  const graceCutoff = new Date(startedMs - graceMinutes * 60_000).toISOString();
  const runId = info.runId;
  await store.beginReconciliation({
    runId,
    day,
    workflowId: info.workflowId,
    trigger: input.trigger ?? 'ON_DEMAND',
    graceMinutes,
  });

  async function counterpart(c: ReconciliationCounterpart): Promise<CounterpartCounts> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const fetched = await listing.fetchListingPage({ runId, counterpart: c, day, page, cursor });
      cursor = fetched.nextCursor;
      if (!cursor) break;
    }
    return compare.compareWithCounterpart({ runId, counterpart: c, day, graceCutoff });
  }

  const failedPart = (err: unknown): CounterpartCounts => ({
    listed: 0,
    ours: 0,
    matched: 0,
    withinGrace: 0,
    differences: 0,
    error: String(
      (err as Error)?.cause ? ((err as Error).cause as Error).message : ((err as Error)?.message ?? err),
    ).slice(0, 300),
  });
  const parts: DifferenceSource[] = [...ReconciliationCounterpart.options, 'LEDGER'];
  const results = await Promise.all(
    parts.map((p) => (p === 'LEDGER' ? compare.checkLedgerForRun({ runId, day }) : counterpart(p)).catch(failedPart)),
  );
  const counts = Object.fromEntries(parts.map((p, i) => [p, results[i]!])) as Record<
    DifferenceSource,
    CounterpartCounts
  >;
  return store.finishReconciliation({ runId, day, counts });
}
