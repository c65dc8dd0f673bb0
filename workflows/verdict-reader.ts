import {
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { AfmActivities } from '../activities/afm.js';
import type { UndeliverableVerdict, VerdictStoreActivities } from '../activities/verdicts.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { submissionWorkflowId } from '../domain/submission.js';
import { afmVerdictSignal } from './submission/messages.js';

export interface VerdictReaderInput {
  counterpart: 'AFM';
  /** How long it waits between reads once it has caught up (AFM_VERDICT_FETCH_INTERVAL). */
  intervalMs: number;
  /** Messages per request (AFM_VERDICT_PAGE_SIZE). */
  pageSize: number;
  /** Where the previous run stopped; absent on a fresh start, then the cursor saved in PostgreSQL. */
  cursor?: string;
  /** Verdicts signalled since the reader first started, carried across runs. */
  delivered?: number;
}

// AFM down: the read is retried without end, each attempt at most a minute apart; the interval's read is simply late.
const feed = proxyActivities<AfmActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});
const store = proxyLocalActivities<VerdictStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/** Reads per run before continuing as new: keeps the history short. */
const READS_PER_RUN = 500;

/**
 * The verdict reader (the e-government integration rules §47, the result "fetched from the receiver's messages"): one per counterpart, it
 * reads the messages AFM published since its cursor and signals each to the submission it names. One request per
 * interval (more only while a backlog drains, a page at a time) whatever the number of open submissions, which
 * themselves only wait. A verdict for a submission that is unknown or already closed is journalled, not a failure.
 * The cursor moves only after its page has been signalled, and is saved in PostgreSQL: a reader started again
 * goes on from there, and a verdict read twice changes nothing (the submission takes the first).
 */
export async function verdictReader(input: VerdictReaderInput): Promise<void> {
  const reader = workflowInfo().workflowId;
  let cursor = input.cursor ?? (await store.loadVerdictCursor({ reader }));
  let delivered = input.delivered ?? 0;
  for (let read = 0; read < READS_PER_RUN && !workflowInfo().continueAsNewSuggested; read++) {
    const page = await feed.readAfmMessages({ ...(cursor ? { after: cursor } : {}), limit: input.pageSize });
    const undeliverable: UndeliverableVerdict[] = [];
    await Promise.all(
      page.messages.map(async (m) => {
        try {
          await getExternalWorkflowHandle(submissionWorkflowId(m.submissionId)).signal(afmVerdictSignal, {
            channel: 'FETCH',
            verdictId: m.id,
            messageId: m.messageId,
            code: m.rejection.code.slice(0, 200),
            reason: m.rejection.reason.slice(0, 4000),
            rejectedAt: m.rejection.rejectedAt,
          });
        } catch (err) {
          undeliverable.push({
            verdictId: m.id,
            submissionId: m.submissionId,
            messageId: m.messageId,
            code: m.rejection.code.slice(0, 200),
            reason: (err as Error).message,
          });
        }
      }),
    );
    delivered += page.messages.length - undeliverable.length;
    if (undeliverable.length)
      await store.journalUndeliverableVerdicts({
        counterpart: input.counterpart,
        verdicts: undeliverable,
        atMs: Date.now(),
      });
    if (page.nextCursor && page.nextCursor !== cursor) {
      cursor = page.nextCursor;
      await store.saveVerdictCursor({
        reader,
        counterpart: input.counterpart,
        cursor,
        delivered: page.messages.length - undeliverable.length,
      });
    }
    if (!page.hasMore) await sleep(input.intervalMs);
  }
  await continueAsNew<typeof verdictReader>({ ...input, ...(cursor ? { cursor } : {}), delivered });
}
