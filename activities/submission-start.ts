import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { submissionWorkflowId, SubmissionStatus, type SubmissionInput } from '../domain/submission.js';
import { submissionSearchAttributes } from '../domain/search-attributes.js';

/** The submission workflow's type name (workflows/afm-report.ts starts it by name too). */
export const SUBMISSION_WORKFLOW_TYPE = 'submission';

/**
 * Starts the submission workflow `args` name (its input first; then, for a run that begins past QUEUED, its
 * carried state) under its derived id, never reused, with the search attributes every start of a submission sets.
 * False when it was started already: a retry has nothing to do.
 */
export async function startSubmission(
  { client, taskQueue }: { client: Client; taskQueue: string },
  args: [SubmissionInput, ...unknown[]],
  status: SubmissionStatus,
): Promise<boolean> {
  const [input] = args;
  try {
    await client.workflow.start(SUBMISSION_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: submissionWorkflowId(input.submissionId),
      args,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: submissionSearchAttributes({
        counterpart: input.payload.counterpart,
        bettorRef: input.bettorRef,
        status,
      }),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Starts a regulator submission from a saga's last workflow task, as a local activity: the saga does not wait
 * for a child's start handshake (two events and a workflow task), and the submission lives on its own as an
 * abandoned child would. Its id is derived from the operation and never reused, so a retry that finds it
 * started has nothing to do. Attributes as every other start of a submission sets them.
 */
export function createSubmissionStartActivities({ client, taskQueue }: { client: Client; taskQueue: string }) {
  return {
    async startSubmissionWorkflow(input: SubmissionInput): Promise<{ submissionId: string; started: boolean }> {
      const started = await startSubmission({ client, taskQueue }, [input], SubmissionStatus.Queued);
      return { submissionId: input.submissionId, started };
    },
  };
}

export type SubmissionStartActivities = ReturnType<typeof createSubmissionStartActivities>;
