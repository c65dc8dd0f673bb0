import { condition, ParentClosePolicy, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.js';
import { submissionSearchAttributes } from '../../domain/search-attributes.js';
import {
  resubmissionId,
  ResubmitSubmission,
  RetrySubmission,
  SubmissionStatus,
  submissionWorkflowId,
  type SubmissionInput,
} from '../../domain/submission.js';
import { resubmitSubmissionUpdate, resumeSubmissionSignal, retrySubmissionUpdate } from './messages.js';
import { iso, parsed, record, refused, type SubmissionRun } from './run.js';
import { deliver } from './sending.js';
import type { submission } from './workflow.js';

/** How long the retry update waits for the resend's outcome before answering with the state so far. */
export const RETRY_ANSWER_WAIT = '20 seconds';

/**
 * Sending again after a refusal a retry could not fix (FAILED): an officer's `retrySubmission`, or a starting
 * worker's `resumeSubmission` signal (its configuration may have fixed the refusal).
 */
export function registerResend(run: SubmissionRun): void {
  const { state } = run;
  setHandler(resumeSubmissionSignal, ({ reason }) => {
    if (state.status === SubmissionStatus.Failed && !run.retryRequested)
      run.resumeReason = String(reason ?? 'worker started').slice(0, 200);
  });

  setHandler(
    retrySubmissionUpdate,
    async (cmd) => {
      const { actor } = parsed(RetrySubmission, cmd, 'retrySubmission');
      run.retryRequested = true;
      state.retries.push({ actor, at: iso(Date.now()) });
      await record(
        run,
        'submission.retry-requested',
        actor,
        'OK',
        `resend under the same idempotency key ${state.submissionId}`,
      );
      await condition(() => !run.retryRequested && state.status !== SubmissionStatus.Sending, RETRY_ANSWER_WAIT);
      return state;
    },
    {
      validator: (cmd) => {
        parsed(RetrySubmission, cmd, 'retrySubmission');
        if (state.status !== SubmissionStatus.Failed || run.retryRequested) {
          throw refused(
            ErrorType.SubmissionStepRejected,
            `only a FAILED submission can be retried; ${state.submissionId} is ${state.status}${run.retryRequested ? ' (a retry is already on its way)' : ''}`,
          );
        }
      },
    },
  );
}

/** FAILED: waits for an officer's retry or a worker's resume, then sends again under the same idempotency key. */
export async function awaitResend(run: SubmissionRun): Promise<void> {
  const { state } = run;
  await condition(() => run.retryRequested || run.resumeReason !== undefined || workflowInfo().continueAsNewSuggested);
  if (run.retryRequested) {
    run.retryRequested = false;
    run.resumeReason = undefined;
    await deliver(run);
  } else if (run.resumeReason !== undefined) {
    // A refusal a retry cannot fix may have been fixed by the configuration a restarted worker brings.
    const reason = run.resumeReason;
    run.resumeReason = undefined;
    await record(
      run,
      'submission.resumed',
      'system',
      'OK',
      `sending again under the same idempotency key ${state.submissionId}: ${reason}`,
    );
    await deliver(run);
  }
}

/**
 * An officer's correction of a REJECTED submission: the corrected record starts as a new submission (attempt
 * n + 1, its id derived from the original's, so it is never sent twice) and this one ends CORRECTED.
 */
export function registerResubmit(run: SubmissionRun): void {
  const { state, originalSubmissionId } = run;
  setHandler(
    resubmitSubmissionUpdate,
    async (cmd) => {
      const { payload, actor } = parsed(ResubmitSubmission, cmd, 'resubmitSubmission');
      if (state.correctedBy) return state; // the same correction asked again: the existing link, nothing sent
      if (run.resubmitting) {
        await condition(() => state.correctedBy !== undefined || !run.resubmitting);
        if (state.correctedBy) return state;
        throw refused(
          ErrorType.SubmissionStepRejected,
          `the resubmission of ${state.submissionId} could not be started; try again`,
        );
      }
      run.resubmitting = true;
      const attempt = state.attempt + 1;
      const childId = resubmissionId(originalSubmissionId, attempt);
      const childWorkflowId = submissionWorkflowId(childId);
      const childInput: SubmissionInput = {
        submissionId: childId,
        operationId: state.operationId,
        operationKind: state.operationKind,
        bettorRef: state.bettorRef,
        attempt,
        originalSubmissionId,
        correctsSubmissionId: state.submissionId,
        payload,
        actor,
      };
      try {
        // The same workflow type as this one, named: a value import of the workflow would be a cycle.
        await startChild<typeof submission>('submission', {
          workflowId: childWorkflowId,
          args: [childInput],
          // The correction outlives this rejected attempt, which completes as CORRECTED right after.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // A deterministic id used once: a second start of the same correction cannot send it again.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: submissionSearchAttributes({ ...state, status: SubmissionStatus.Queued }),
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          run.resubmitting = false;
          throw err;
        }
      }
      state.correctedBy = { submissionId: childId, workflowId: childWorkflowId, actor, at: iso(Date.now()) };
      run.resubmitting = false;
      state.status = SubmissionStatus.Corrected;
      await record(run, 'submission.corrected', actor, 'OK', `corrected by ${childId} (attempt ${attempt})`, {
        correctedBy: childId,
      });
      return state;
    },
    {
      validator: (cmd) => {
        const { payload } = parsed(ResubmitSubmission, cmd, 'resubmitSubmission');
        if (state.status === SubmissionStatus.Corrected) return;
        if (state.status !== SubmissionStatus.Rejected) {
          throw refused(
            ErrorType.SubmissionStepRejected,
            `only a REJECTED submission can be corrected and resubmitted; ${state.submissionId} is ${state.status}`,
          );
        }
        if (payload.counterpart !== state.counterpart) {
          throw refused(
            ErrorType.InvalidInput,
            `resubmitSubmission: payload.counterpart: must stay ${state.counterpart}`,
          );
        }
        if (payload.counterpart === 'ESU' && payload.record.operationId !== state.operationId) {
          throw refused(
            ErrorType.InvalidInput,
            `resubmitSubmission: payload.record.operationId: must stay ${state.operationId}, the operation ESU refused`,
          );
        }
      },
    },
  );
}
