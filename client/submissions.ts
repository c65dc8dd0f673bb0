import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import { submissionSearchAttributes } from '../domain/search-attributes.js';
import {
  AfmVerdictSignal,
  SubmissionInput,
  SubmissionKey,
  SubmissionPayload,
  SubmissionStatus,
  submissionWorkflowId,
  type SubmissionState,
} from '../domain/submission.js';
import {
  afmVerdictSignal,
  getSubmissionStatusQuery,
  recordWrittenNoticeUpdate,
  resubmitSubmissionUpdate,
  resumeSubmissionSignal,
  retrySubmissionUpdate,
  submission,
} from '../workflows/submission/index.js';
import { noticeRefusal } from '../workflows/submission/written-notice.js';
import { RecordWrittenNotice } from '../domain/submission-notice.js';
import { StepRejectedError, updateRefusal } from './errors.js';
import { finalState, startOrJoin, validateRequest } from './operations.js';

export interface SubmissionHandle {
  workflowId: string;
  submissionId: string;
  /** True when a submission with this id already existed and this call joined it. */
  joined: boolean;
  status(): Promise<SubmissionState>;
  result(): Promise<SubmissionState>;
}

/**
 * Regulator submissions as bookmaker services and compliance drive them. Retry and correct-and-resubmit go
 * through the workflow's updates, never around it: the workflow's validators decide, and a refusal is a
 * StepRejectedError whose `type` is SubmissionStepRejected or InvalidInput (naming the field).
 */
export function createSubmissionClient({ client, taskQueue }: { client: Client; taskQueue: string }) {
  const validate = validateRequest;

  const handleOf = (submissionId: string): WorkflowHandle<typeof submission> =>
    client.workflow.getHandle<typeof submission>(
      submissionWorkflowId(validate('submission', SubmissionKey, submissionId)),
    );

  async function read(handle: WorkflowHandle<typeof submission>, submissionId: string): Promise<SubmissionState> {
    try {
      return await handle.query(getSubmissionStatusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new StepRejectedError(
          handle.workflowId,
          ErrorType.SubmissionStepRejected,
          `no submission ${submissionId}`,
          { cause: err },
        );
      throw err;
    }
  }

  async function update(
    submissionId: string,
    run: (handle: WorkflowHandle<typeof submission>) => Promise<SubmissionState>,
    ended: (state: SubmissionState) => SubmissionState | undefined,
  ) {
    const handle = handleOf(submissionId);
    try {
      return await run(handle);
    } catch (err) {
      const refusal = updateRefusal(handle.workflowId, err, ErrorType.SubmissionStepRejected);
      if (refusal) throw refusal;
      if (err instanceof WorkflowNotFoundError) {
        // The workflow has ended (ACCEPTED or CORRECTED) or never existed: answer from its final state.
        const state = await read(handle, submissionId);
        const answer = ended(state);
        if (answer) return answer;
        throw new StepRejectedError(
          handle.workflowId,
          ErrorType.SubmissionStepRejected,
          `submission ${submissionId} has ended ${state.status}`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  const wrap = (
    handle: WorkflowHandle<typeof submission>,
    submissionId: string,
    joined: boolean,
  ): SubmissionHandle => ({
    workflowId: handle.workflowId,
    submissionId,
    joined,
    status: () => read(handle, submissionId),
    result: () => finalState<SubmissionState>(handle),
  });

  return {
    /** Starts a submission, or joins the one with this id (an id is used once, ever: it is the idempotency key). */
    async startSubmission(request: SubmissionInput): Promise<SubmissionHandle> {
      const input = validate('submission', SubmissionInput, request);
      const workflowId = submissionWorkflowId(input.submissionId);
      const attributes = submissionSearchAttributes({
        counterpart: input.payload.counterpart,
        bettorRef: input.bettorRef,
        status: SubmissionStatus.Queued,
      });
      return startOrJoin(
        client,
        submission,
        {
          taskQueue,
          workflowId,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: attributes,
        },
        (handle) => wrap(handle, input.submissionId, false),
        () => wrap(client.workflow.getHandle(workflowId), input.submissionId, true),
      );
    },

    /** The submission with this id, to read its status or wait for its end. */
    submission: (submissionId: string): SubmissionHandle => wrap(handleOf(submissionId), submissionId, true),

    /** The submission's current (or final) state from its `getStatus` query. */
    getSubmission: (submissionId: string): Promise<SubmissionState> => read(handleOf(submissionId), submissionId),

    /** Resends a FAILED submission under the same idempotency key (AFM is asked first whether it landed). */
    retrySubmission: (submissionId: string, actor: string): Promise<SubmissionState> =>
      update(
        submissionId,
        (handle) => handle.executeUpdate(retrySubmissionUpdate, { args: [{ actor }] }),
        () => undefined,
      ),

    /**
     * Hands AFM's verdict (the e-government integration rules §47) to the submission it names: DELIVERED, or CLOSED when that submission's
     * workflow has ended (accepted, corrected) or never existed here, which the caller journals.
     */
    async signalAfmVerdict(submissionId: string, verdict: AfmVerdictSignal): Promise<'DELIVERED' | 'CLOSED'> {
      const parsed = validate('afmVerdict', AfmVerdictSignal, verdict);
      try {
        await handleOf(submissionId).signal(afmVerdictSignal, parsed);
        return 'DELIVERED';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'CLOSED';
        throw err;
      }
    },

    /** Tells a FAILED submission to send again by itself (a starting worker may carry a fixed configuration). */
    async resumeSubmission(submissionId: string, reason: string): Promise<boolean> {
      try {
        await handleOf(submissionId).signal(resumeSubmissionSignal, { reason });
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /**
     * Sends the corrected record of a REJECTED submission as its next attempt. Asking again for a submission
     * already corrected answers with the existing link (`correctedBy`) and sends nothing.
     */
    resubmitSubmission(submissionId: string, correctedPayload: unknown, actor: string): Promise<SubmissionState> {
      const payload = validate('resubmitSubmission', SubmissionPayload, correctedPayload);
      return update(
        submissionId,
        (handle) => handle.executeUpdate(resubmitSubmissionUpdate, { args: [{ payload, actor }] }),
        (state) => (state.correctedBy ? state : undefined),
      );
    },

    /**
     * Records AFM's written notice (AFM order No. 9, item 5(3)) on the submission: REJECTED, due date from the
     * notice's date. A submission whose workflow has closed ACCEPTED is reopened: a new run of the same workflow
     * id carries its final state and the notice over. That start alone may reuse the id (ALLOW_DUPLICATE):
     * ordinary starts keep REJECT_DUPLICATE, so the record itself is never sent again. Idempotent by AFM's reference.
     */
    async recordWrittenNotice(submissionId: string, request: RecordWrittenNotice): Promise<SubmissionState> {
      const notice = validate('recordWrittenNotice', RecordWrittenNotice, request);
      const handle = handleOf(submissionId);
      const refusal = (failure: ApplicationFailure) =>
        new StepRejectedError(handle.workflowId, failure.type ?? ErrorType.SubmissionStepRejected, failure.message);
      try {
        return await handle.executeUpdate(recordWrittenNoticeUpdate, { args: [notice] });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError))
          throw updateRefusal(handle.workflowId, err, ErrorType.SubmissionStepRejected) ?? err;
      }
      // The workflow has closed (or never existed): decide on its final state, then reopen it.
      const last = await read(handle, submissionId);
      // The letter's date against the clock was checked where the officer typed it; here the workflow's rules.
      const failure = noticeRefusal(last, notice, Number.POSITIVE_INFINITY);
      if (failure) throw refusal(failure);
      if (last.writtenNotices?.some((n) => n.afmReference === notice.afmReference)) return last;
      if (last.status !== SubmissionStatus.Accepted) {
        throw new StepRejectedError(
          handle.workflowId,
          ErrorType.SubmissionStepRejected,
          `recordWrittenNotice: submissionId: ${submissionId} has ended ${last.status}`,
        );
      }
      const input: SubmissionInput = {
        submissionId: last.submissionId,
        operationId: last.operationId,
        operationKind: last.operationKind,
        bettorRef: last.bettorRef,
        attempt: last.attempt,
        originalSubmissionId: last.originalSubmissionId,
        ...(last.correctsSubmissionId ? { correctsSubmissionId: last.correctsSubmissionId } : {}),
        payload: last.payload,
        actor: notice.actor,
      };
      try {
        await client.workflow.start(submission, {
          taskQueue,
          workflowId: handle.workflowId,
          args: [input, { state: last, notice }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          typedSearchAttributes: submissionSearchAttributes(last),
        });
      } catch (err) {
        // Another officer reopened it a moment ago: the update below joins that run.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      try {
        return await client.workflow
          .getHandle<typeof submission>(handle.workflowId)
          .executeUpdate(recordWrittenNoticeUpdate, { args: [notice] });
      } catch (err) {
        throw updateRefusal(handle.workflowId, err, ErrorType.SubmissionStepRejected) ?? err;
      }
    },
  };
}

export type SubmissionClient = ReturnType<typeof createSubmissionClient>;
