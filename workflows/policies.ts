import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { NomapayActivities } from '../activities/nomapay.js';
import type { LedgerActivities } from '../activities/ledger.js';
import type { BettingLedgerActivities } from '../activities/betting-ledger.js';
import type { JournalActivities } from '../activities/journal.js';
import type { BettorGateActivities } from '../activities/bettor-gate.js';
import type { OperationRegistryActivities } from '../activities/operation-registry.js';
import type { SubmissionStartActivities } from '../activities/submission-start.js';
import type { MoneyFlowReportActivities } from '../activities/money-flow-report.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';

// Timeouts and retries per class of step, in one place. The counterparts' proxies (ESU, Nomapay) stay with
// the saga that calls them: their deadlines are each saga's regulation (a bet's real-time answer, a deposit's day).

export const nonRetryableErrorTypes = NON_RETRYABLE_ERROR_TYPES;

/** A call to a counterpart over HTTP: a synchronous call takes at most 30 s (the e-government integration rules). */
export const COUNTERPART_CALL = '30 seconds';

/** Retries of a counterpart call, backing off to `maximumInterval`; a refusal is final. */
export const counterpartRetry = (maximumInterval: '15 seconds' | '1 minute' | '5 minutes') =>
  ({ initialInterval: '1 second', backoffCoefficient: 2, maximumInterval, nonRetryableErrorTypes }) as const;

/** Our own ledger in PostgreSQL: short, retried quickly, a refusal (a balance that would go negative) is final. */
const ledgerPolicy = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '30 seconds', nonRetryableErrorTypes },
} as const;

/** The ledger as a worker activity (the sagas' recorded shapes before their steps went local). */
export const ledger = proxyActivities<LedgerActivities & BettingLedgerActivities>(ledgerPolicy);

/** The ledger as a local activity: a posting and its journal rows, one transaction in the workflow task. */
export const localLedger = proxyLocalActivities<LedgerActivities & BettingLedgerActivities>(ledgerPolicy);

/** Compensations retry without limit; only a non-retryable refusal stops them (then CompensationFailed). */
export const compensation = proxyActivities<NomapayActivities & LedgerActivities & BettingLedgerActivities>({
  startToCloseTimeout: COUNTERPART_CALL,
  retry: { ...counterpartRetry('5 minutes') },
});

/** The bookmaker's own PostgreSQL, read or written in the workflow task: short, retried until it answers. */
const ownDatabase = { startToCloseTimeout: '5 seconds', retry: { maximumInterval: '10 seconds' } } as const;

export const journal = proxyLocalActivities<JournalActivities>(ownDatabase);
export const gate = proxyLocalActivities<BettorGateActivities>(ownDatabase);
/** The operation registry: a refusal (an id used by another operation) is final. */
export const registry = proxyLocalActivities<OperationRegistryActivities>({
  ...ownDatabase,
  retry: { ...ownDatabase.retry, nonRetryableErrorTypes },
});

/** Starting a regulator submission from the saga's last task: Temporal's own frontend, retried until it answers. */
export const submissionStarts = proxyLocalActivities<SubmissionStartActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds', nonRetryableErrorTypes },
});

/**
 * A deposit's or payout's AFM report, its first round sent from the saga's last task: AFM's HTTP call (its
 * endpoint's time-out, 10 s by default) and our PostgreSQL. Anything but AFM's acknowledgement is handed to the
 * submission workflow inside the activity, so only Temporal's frontend being down makes it retry.
 */
export const moneyFlowReports = proxyLocalActivities<MoneyFlowReportActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '10 seconds', nonRetryableErrorTypes },
});
