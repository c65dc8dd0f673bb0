import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { submissionWorkflowId, SubmissionStatus, type SubmissionInput } from '../domain/submission.js';
import { submissionSearchAttributes } from '../domain/search-attributes.js';

/** The submission workflow's type name (workflows/afm-report.ts starts it by name too). */
const SUBMISSION_WORKFLOW_TYPE = 'submission';

/**
 * Starts a regulator submission from a saga's last workflow task, as a local activity: the saga does not wait
 * for a child's start handshake (two events and a workflow task), and the submission lives on its own as an
 * abandoned child would. Its id is derived from the operation and never reused, so a retry that finds it
 * started has nothing to do. Attributes as every other start of a submission sets them.
 */
export function createSubmissionStartActivities({ client, taskQueue }: { client: Client; taskQueue: string }) {
  return {
    async startSubmissionWorkflow(input: SubmissionInput): Promise<{ submissionId: string; started: boolean }> {
      try {
        await client.workflow.start(SUBMISSION_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: submissionWorkflowId(input.submissionId),
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: submissionSearchAttributes({
            counterpart: input.payload.counterpart,
            bettorRef: input.bettorRef,
            status: SubmissionStatus.Queued,
          }),
        });
        return { submissionId: input.submissionId, started: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return { submissionId: input.submissionId, started: false };
        throw err;
      }
    },
  };
}

export type SubmissionStartActivities = ReturnType<typeof createSubmissionStartActivities>;
