import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AfmActivities } from '../../activities/afm.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../../domain/errors.js';
import { AfmVerdictSignal, SubmissionStatus } from '../../domain/submission.js';
import type { AfmSubmissionStatus } from '../../domain/wire/afm.js';
import { afmVerdictSignal } from './messages.js';
import { rejected } from './rejection.js';
import { advance, iso, type SubmissionRun } from './run.js';

/** Patch name: a history recorded before it replays the old path (hourly polls of AFM's status endpoint). */
export const VERDICT_BY_SIGNAL_PATCH = 'afm-verdict-by-signal';

const nonRetryableErrorTypes = NON_RETRYABLE_ERROR_TYPES;
const poller = proxyActivities<AfmActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
});
// The verdict at the window's end must be read, however long AFM takes to answer: no attempt limit.
const finalPoller = proxyActivities<AfmActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
});

/**
 * The e-government integration rules §47: AFM's result, fetched from its messages or pushed to us. A verdict for
 * a submission that is no longer waiting for one (already rejected, accepted or corrected) changes nothing; a
 * second one neither.
 */
export function registerVerdictSignal(run: SubmissionRun): void {
  const { state } = run;
  setHandler(afmVerdictSignal, (raw) => {
    const parsedVerdict = AfmVerdictSignal.safeParse(raw);
    if (!parsedVerdict.success || run.verdict) return;
    const done: string[] = [SubmissionStatus.Accepted, SubmissionStatus.Rejected, SubmissionStatus.Corrected];
    if (state.counterpart !== 'AFM' || done.includes(state.status)) return;
    run.verdict = parsedVerdict.data;
  });
}

/** AFM's status endpoint says REJECTED (polled before the verdict-by-signal patch: no channel). */
async function rejectedByStatus(run: SubmissionRun, status: AfmSubmissionStatus, channel?: 'STATUS'): Promise<void> {
  const r = status.rejection;
  await rejected(run, {
    code: r?.code ?? 'REJECTED',
    reason: r?.reason ?? 'AFM did not give a reason',
    rejectedAt: r?.rejectedAt ?? iso(Date.now()),
    source: 'VERDICT',
    ...(channel ? { channel } : {}),
  });
}

/** No rejection by the window's end: ACCEPTED. */
async function acceptedAtWindowEnd(run: SubmissionRun): Promise<void> {
  const { state } = run;
  state.acceptedAt = iso(Date.now());
  await advance(
    run,
    SubmissionStatus.Accepted,
    'submission.accepted',
    `no rejection by the end of the window (${state.windowEndsAt})`,
    { polls: state.polls },
  );
}

/**
 * Waits for AFM's verdict signal (its messages feed or its push) until the rejection window closes: one timer,
 * no activity, no poll. Then one status check, so a lost message cannot turn into a wrong ACCEPTED.
 */
export async function awaitVerdictSignal(run: SubmissionRun): Promise<void> {
  const { state } = run;
  const endsAtMs = Date.parse(state.windowEndsAt!);
  const messageId = state.receipt!.messageId;
  const remaining = endsAtMs - Date.now();
  // A written notice recorded meanwhile (written-notice.ts) has already turned it REJECTED: nothing to wait for.
  const noticed = () => state.status !== SubmissionStatus.AwaitingVerdict;
  if (!run.verdict && remaining > 0) {
    await condition(() => run.verdict !== undefined || noticed() || workflowInfo().continueAsNewSuggested, remaining);
  }
  if (noticed()) return;
  if (run.verdict) {
    const v = run.verdict;
    await rejected(run, {
      code: v.code,
      reason: v.reason,
      rejectedAt: v.rejectedAt,
      source: 'VERDICT',
      channel: v.channel,
      verdictId: v.verdictId,
    });
    return;
  }
  if (Date.now() < endsAtMs) return; // continue-as-new first; the wait goes on in the next run
  const status = await finalPoller.getAfmVerdict({ messageId });
  state.polls += 1;
  state.lastPolledAt = iso(Date.now());
  if (noticed()) return; // a written notice came while AFM was asked
  if (status.status === 'REJECTED') {
    await rejectedByStatus(run, status, 'STATUS');
    return;
  }
  await acceptedAtWindowEnd(run);
}

/** Polls AFM's verdict until the rejection window closes, then once more; no rejection → ACCEPTED. */
export async function awaitVerdictByPolling(run: SubmissionRun): Promise<void> {
  const { state } = run;
  const policy = run.policy!;
  const endsAtMs = Date.parse(state.windowEndsAt!);
  const messageId = state.receipt!.messageId;
  for (;;) {
    const now = Date.now();
    const final = now >= endsAtMs;
    if (!final) {
      await condition(
        () => workflowInfo().continueAsNewSuggested || state.status !== SubmissionStatus.AwaitingVerdict,
        Math.min(policy.pollIntervalMs, endsAtMs - now),
      );
      if (workflowInfo().continueAsNewSuggested || state.status !== SubmissionStatus.AwaitingVerdict) return;
      if (Date.now() >= endsAtMs) continue;
    }
    let verdict;
    try {
      verdict = await (final ? finalPoller : poller).getAfmVerdict({ messageId });
    } catch (err) {
      if (final) throw err;
      continue; // a missed poll is made up by the next one and the final one
    }
    state.polls += 1;
    state.lastPolledAt = iso(Date.now());
    if (state.status !== SubmissionStatus.AwaitingVerdict) return; // a written notice came while AFM was asked
    if (verdict.status === 'REJECTED') {
      await rejectedByStatus(run, verdict);
      return;
    }
    if (final) {
      await acceptedAtWindowEnd(run);
      return;
    }
  }
}
