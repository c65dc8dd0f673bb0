import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SubmissionPolicy } from '../../activities/submissions.js';
import { submissionSearchAttributes } from '../../domain/search-attributes.js';
import {
  queuedSubmissionState,
  SubmissionInput,
  SubmissionStatus,
  type SubmissionState,
} from '../../domain/submission.js';
import type { RecordWrittenNotice } from '../../domain/submission-notice.js';
import { awaitResend, registerResend, registerResubmit } from './compliance.js';
import { getSubmissionStatusQuery } from './messages.js';
import { awaitCorrection, rejected } from './rejection.js';
import { clock, iso, parsed, record, type SubmissionRun } from './run.js';
import { deliver } from './sending.js';
import {
  awaitVerdictByPolling,
  awaitVerdictSignal,
  registerVerdictSignal,
  VERDICT_BY_SIGNAL_PATCH,
} from './verdict.js';
import { registerWrittenNotice } from './written-notice.js';

/** What continue-as-new carries over: the state so far and the worker's policy read at the start. */
export interface SubmissionCarryOver {
  state: SubmissionState;
  /** Absent when the client reopens a closed submission for AFM's written notice: the run reads it again. */
  policy?: SubmissionPolicy;
  /** AFM's written notice that reopens a closed (ACCEPTED) submission in a new run of its workflow id. */
  notice?: RecordWrittenNotice;
}

/**
 * One regulator submission: one record to one counterpart, as a long-lived state machine.
 *
 * QUEUED → SENDING → (RETRYING | WAITING_MAINTENANCE)* → ACKNOWLEDGED → ACCEPTED, or → REJECTED → CORRECTED; or FAILED (→ SENDING).
 *
 * - Sending (sending.ts) signs the record and sends it with the submission id as idempotency key; every round
 *   after the first asks the counterpart first whether an earlier one landed, so a lost answer is never resent blindly.
 * - Transient faults retry with backoff. When the counterpart is down inside a maintenance window (the e-government integration rules, item 48:
 *   21:00–06:00, weekends and holidays) the workflow waits for the window to end instead of failing; outside
 *   maintenance it keeps sending with a doubling, capped pause however long the outage lasts (RETRYING, with its
 *   last error and next attempt; AFM order No. 9, item 4(4)). Only a refusal a retry cannot fix (wrong key, signature) is
 *   FAILED: an officer's `retrySubmission`, or a starting worker's `resumeSubmission` signal, sends again (compliance.ts).
 *   (Runs from before the never-stop patch still give up after the outage deadline.)
 * - AFM acknowledges with a messageId (the e-government integration rules §47), but may still say within 1 working day why it cannot accept
 *   the data (AFM order No. 9, item 5(3)). AFM's verdict arrives as the `afmVerdict` signal, from the verdict reader (its
 *   messages feed) or the API (its push); the submission only waits (verdict.ts), with one timer to the window's end, which
 *   comes from the Kazakhstan working-day calendar (an activity reads it). Then one status check, so a lost
 *   message cannot become a wrong ACCEPTED; no rejection → ACCEPTED. (Runs from before the verdict-by-signal
 *   patch keep polling AFM's status endpoint at SUBMISSION_POLL_INTERVAL.)
 * - ESU answers synchronously: its receipt is the final verdict, with no window. A submission started with
 *   `initialRejection` (ESU refused a settlement or payout record after money moved) begins at REJECTED.
 * - REJECTED waits for compliance (rejection.ts): `resubmitSubmission` starts the corrected record as a new submission
 *   (attempt n + 1, its id derived from the original's, so it is never sent twice) and this one ends CORRECTED.
 *   An untouched rejection is reminded at the configured point and escalated at the officers' due time.
 * - AFM's written notice (AFM order No. 9, item 5(3), by letter or e-mail, maybe after the window closed) is recorded by an
 *   officer (`recordWrittenNotice`, written-notice.ts): ACKNOWLEDGED or ACCEPTED → REJECTED, due date
 *   from the notice's date. A closed ACCEPTED submission is reopened by a new run carrying its state and the notice.
 * Every transition is journalled and mirrored to the `submissions` table (run.ts); status goes to `SubmissionStatus`.
 */
export async function submission(rawInput: SubmissionInput, carried?: SubmissionCarryOver): Promise<SubmissionState> {
  const input = parsed(SubmissionInput, rawInput, 'submission input');
  const { workflowId } = workflowInfo();
  const originalSubmissionId = input.originalSubmissionId ?? input.submissionId;
  const state: SubmissionState = carried?.state ?? queuedSubmissionState(input, iso(Date.now()));
  const run: SubmissionRun = {
    workflowId,
    originalSubmissionId,
    state,
    policy: carried?.policy,
    retryRequested: false,
    resubmitting: false,
  };

  // Every handler before the first await, in this order.
  setHandler(getSubmissionStatusQuery, () => state);
  registerVerdictSignal(run);
  registerResend(run);
  registerResubmit(run);
  // AFM's written notice (AFM order No. 9, item 5(3)): its own module, registered with the other handlers.
  const writtenNotice = registerWrittenNotice(run);

  // Set here as well as by the starter: a child started by a saga may come without them.
  upsertSearchAttributes(submissionSearchAttributes(state));
  run.statusInVisibility = state.status;

  if (!carried) {
    run.policy = await clock.submissionPolicy();
    await record(
      run,
      'submission.queued',
      input.actor,
      'OK',
      `${state.counterpart} ${state.operationKind} ${state.operationId}, attempt ${state.attempt}`,
      {
        correctsSubmissionId: state.correctsSubmissionId,
        ...(input.sentBefore ? { sentBefore: input.sentBefore } : {}),
      },
    );
    if (input.initialRejection) await rejected(run, { ...input.initialRejection, source: 'INITIAL' });
  } else if (carried.notice) {
    run.policy ??= await clock.submissionPolicy();
    await writtenNotice.apply(carried.notice);
  }

  for (;;) {
    if (state.status === SubmissionStatus.Accepted || state.status === SubmissionStatus.Corrected) {
      await condition(allHandlersFinished);
      // A written notice that came as the window closed has reopened it: go on.
      if (state.status === SubmissionStatus.Accepted || state.status === SubmissionStatus.Corrected) break;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof submission>(input, { state, policy: run.policy! });
    }
    switch (state.status) {
      case SubmissionStatus.Rejected:
        await awaitCorrection(run);
        break;
      case SubmissionStatus.Failed:
        await awaitResend(run);
        break;
      case SubmissionStatus.AwaitingVerdict:
        if (state.counterpart === 'AFM' && patched(VERDICT_BY_SIGNAL_PATCH)) await awaitVerdictSignal(run);
        else await awaitVerdictByPolling(run);
        break;
      default:
        await deliver(run);
    }
  }
  return state;
}
