import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  firstSubmissionId,
  submissionWorkflowId,
  type AfmMoneyFlowRecord,
  type SubmissionInput,
} from '../domain/submission.js';
import type { EsuOperationRequest, EsuReceipt } from '../domain/wire/esu.js';
import { describeFailure } from './failures.js';
import { moneyFlowReports, submissionStarts } from './policies.js';

/**
 * The submission workflow's type name. Started by name, not by function: the submission workflow belongs
 * to another module and the money sagas need only its input contract (domain/submission.ts).
 */
export const SUBMISSION_WORKFLOW_TYPE = 'submission';

/**
 * Starts a submission as a child that outlives the saga (ABANDON): the saga's money is settled, the report
 * has its own life (AFM's one-working-day rejection window, compliance corrections). Ids are derived from the
 * operation and never reused, so a saga retrying this step finds the child it started and treats it as done.
 */
async function startSubmission(input: SubmissionInput): Promise<string> {
  try {
    await startChild(SUBMISSION_WORKFLOW_TYPE, {
      workflowId: submissionWorkflowId(input.submissionId),
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return input.submissionId;
}

export interface MoneyFlowReport {
  operationId: string;
  /** The operation's id at the counterparts (`dep-X`, `pay-X`): the submission is `afm-<counterpartId>`. */
  counterpartId: string;
  operationKind: 'DEPOSIT' | 'PAYOUT';
  bettorRef: string;
  record: AfmMoneyFlowRecord;
}

/** AFM order No. 9, annex 2: one money flow (received from or paid to the bettor) goes to AFM. Returns the submission id. */
export function reportMoneyFlowToAfm(report: MoneyFlowReport): Promise<string> {
  return startSubmission(moneyFlowSubmission(report));
}

/**
 * The same report started by a local activity in the saga's last workflow task (the lean shape): no child
 * start handshake to wait for (five events and a workflow task become one marker); the submission lives on
 * its own as the abandoned child did, under the same id and search attributes.
 */
export async function reportMoneyFlowToAfmAtEnd(report: MoneyFlowReport): Promise<string> {
  return (await submissionStarts.startSubmissionWorkflow(moneyFlowSubmission(report))).submissionId;
}

/** Patch name: runs recorded before it start the submission, which sends the report itself (reportMoneyFlowToAfmAtEnd). */
export const AFM_FIRST_ROUND_IN_SAGA_PATCH = 'afm-first-round-in-saga';

/**
 * The report's first round sent by a local activity in the saga's last workflow task: AFM's acknowledgement
 * starts the submission waiting for AFM's verdict (no send activity, no task of its own); anything else starts it
 * sending, asking AFM first whether this round landed. Same id, search attributes and journal as before.
 */
export async function sendMoneyFlowReportAtEnd(report: MoneyFlowReport): Promise<string> {
  const submission = moneyFlowSubmission(report);
  const queuedAt = new Date(Date.now()).toISOString();
  return (await moneyFlowReports.sendMoneyFlowReport({ submission, queuedAt })).submissionId;
}

function moneyFlowSubmission({
  operationId,
  counterpartId,
  operationKind,
  bettorRef,
  record,
}: MoneyFlowReport): SubmissionInput {
  return {
    submissionId: firstSubmissionId('AFM', counterpartId),
    operationId,
    operationKind,
    bettorRef,
    attempt: 1,
    payload: { counterpart: 'AFM', record },
    actor: 'system',
  };
}

export interface MovedMoneyRecord {
  operationId: string;
  operationKind: 'SETTLEMENT' | 'PAYOUT';
  bettorRef: string;
  record: EsuOperationRequest;
}

export type MovedMoneyRecording =
  { receipt: EsuReceipt } | { esuSubmissionId: string; failure: { type: string; message: string } };

/**
 * Records in ESU an operation whose money has already moved (a settlement or payout is not undone). A
 * permanent refusal does not fail the saga: the record becomes an ESU submission that starts REJECTED and
 * waits for compliance to correct and resubmit it. `recordOperation` is the saga's own proxy (its retry policy).
 */
export async function recordMovedMoneyInEsu(
  recordOperation: (record: EsuOperationRequest) => Promise<EsuReceipt>,
  { operationId, operationKind, bettorRef, record }: MovedMoneyRecord,
): Promise<MovedMoneyRecording> {
  try {
    return { receipt: await recordOperation(record) };
  } catch (err) {
    const failure = describeFailure(err);
    const esuSubmissionId = await startSubmission({
      // `esu-<ESU operation id>`: ESU takes a corrected record under the submission id that names its operation.
      submissionId: firstSubmissionId('ESU', record.operationId),
      operationId,
      operationKind,
      bettorRef,
      attempt: 1,
      payload: { counterpart: 'ESU', record },
      initialRejection: {
        code: failure.code ?? failure.type,
        reason: failure.message,
        rejectedAt: new Date().toISOString(),
      },
      actor: 'system',
    });
    return { esuSubmissionId, failure: { type: failure.type, message: failure.message } };
  }
}
