import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { inTransaction, type Pool } from '../db/pool.js';
import {
  queuedSubmissionState,
  SubmissionInput,
  SubmissionStatus,
  submissionWorkflowId,
  type SubmissionReceipt,
  type SubmissionState,
} from '../domain/submission.js';
import type { AfmActivities } from './afm.js';
import { currentAttempt } from './http.js';
import { startSubmission } from './submission-start.js';
import { writeSubmissionStep, type SubmissionCalendarActivities, type SubmissionRecord } from './submissions.js';

export interface MoneyFlowReportRequest {
  submission: SubmissionInput;
  /** The saga's workflow time: the submission's queue time and the signed `sentAt` of every round. */
  queuedAt: string;
}

export interface MoneyFlowReportOutcome {
  submissionId: string;
  /** ACKNOWLEDGED when AFM took it at once; QUEUED when the submission workflow sends it. */
  status: SubmissionStatus;
  /** False when a workflow of this submission already existed (a retry of this step). */
  started: boolean;
}

/**
 * The AFM report of a deposit or payout (AFM order No. 9, annex 2), sent by the saga's last local activity.
 *
 * The first round is sent here: signed, with the submission id as idempotency key, as the submission workflow
 * would send it. AFM acknowledges with a messageId (the e-government integration rules §47): the queued, sending
 * and acknowledged steps are journalled and the `submissions` row written in one transaction, and the submission
 * workflow starts with that state, waiting for AFM's verdict until the rejection window closes (AFM order No. 9,
 * item 5(3)). A submission that AFM answers at once costs no send activity and no workflow task of its own.
 *
 * Anything else (AFM down, slow, refusing, the rate limit's slot) is the submission workflow's to handle: it starts
 * QUEUED with `sentBefore`, so its first round asks AFM whether this one landed before sending again. The saga never
 * waits out an AFM outage. A retry of this activity asks AFM first (attempt > 1), finds the receipt, writes nothing
 * twice (the journal's and the row's revision guard) and finds the workflow started.
 */
export function createMoneyFlowReportActivities({
  pool,
  afm,
  calendar,
  client,
  taskQueue,
}: {
  pool: Pool;
  afm: Pick<AfmActivities, 'sendAfmSubmission'>;
  calendar: Pick<SubmissionCalendarActivities, 'rejectionWindowEnd' | 'submissionPolicy'>;
  client: Client;
  taskQueue: string;
}) {
  return {
    async sendMoneyFlowReport({ submission, queuedAt }: MoneyFlowReportRequest): Promise<MoneyFlowReportOutcome> {
      const input = SubmissionInput.parse(submission);
      const { submissionId, payload } = input;
      if (payload.counterpart !== 'AFM') throw new TypeError('sendMoneyFlowReport: payload.counterpart: must be AFM');
      const queued = queuedSubmissionState(input, queuedAt);
      const sendingAtMs = Date.now();
      let receipt: SubmissionReceipt;
      try {
        receipt = await afm.sendAfmSubmission({
          submissionId,
          sentAt: queuedAt,
          record: payload.record,
          checkFirst: currentAttempt() > 1,
        });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log.warn('AFM did not acknowledge the money-flow report at once: its submission workflow sends it', {
          submissionId,
        });
        const started = await startSubmission(
          { client, taskQueue },
          [{ ...submission, sentBefore: { at: new Date().toISOString(), error: error.slice(0, 2000) } }],
          SubmissionStatus.Queued,
        );
        return { submissionId, status: SubmissionStatus.Queued, started };
      }

      const acknowledgedAtMs = Date.now();
      const [window, policy] = await Promise.all([
        calendar.rejectionWindowEnd({ acknowledgedAtMs }),
        calendar.submissionPolicy(),
      ]);
      const steps = firstRoundSteps(queued, input.actor, receipt, {
        workflowId: submissionWorkflowId(submissionId),
        queuedAtMs: Date.parse(queuedAt),
        sendingAtMs,
        acknowledgedAtMs,
        windowEndsAtMs: window.endsAtMs,
        calendarCovered: window.calendarCovered,
      });
      await inTransaction(pool, async (db) => {
        for (const step of steps) await writeSubmissionStep(db, step);
      });
      const state = steps.at(-1)!.state;
      const started = await startSubmission({ client, taskQueue }, [submission, { state, policy }], state.status);
      return { submissionId, status: state.status, started };
    },
  };
}

export type MoneyFlowReportActivities = ReturnType<typeof createMoneyFlowReportActivities>;

interface FirstRoundTimes {
  workflowId: string;
  queuedAtMs: number;
  sendingAtMs: number;
  acknowledgedAtMs: number;
  windowEndsAtMs: number;
  calendarCovered: boolean;
}

/**
 * The three steps the submission workflow journals for a first round AFM acknowledges (queued, sending,
 * acknowledged: workflows/submission/), each with its snapshot: the same events, actors, details and revisions.
 */
export function firstRoundSteps(
  queued: SubmissionState,
  actor: string,
  receipt: SubmissionReceipt,
  t: FirstRoundTimes,
): SubmissionRecord[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const atQueue: SubmissionState = { ...queued, revision: 1 };
  const sending: SubmissionState = { ...atQueue, status: SubmissionStatus.Sending, revision: 2 };
  const windowEndsAt = iso(t.windowEndsAtMs);
  const acknowledged: SubmissionState = {
    ...sending,
    sendRounds: 1,
    receipt,
    sentAt: receipt.sentAt,
    acknowledgedAt: iso(t.acknowledgedAtMs),
    windowEndsAt,
    ...(t.calendarCovered ? {} : { calendarCovered: false }),
    status: SubmissionStatus.AwaitingVerdict,
    revision: 3,
  };
  const { counterpart, operationKind, operationId, attempt, submissionId } = queued;
  return [
    {
      workflowId: t.workflowId,
      state: atQueue,
      entry: {
        event: 'submission.queued',
        actor,
        result: 'OK',
        startedAtMs: t.queuedAtMs,
        detail: `${counterpart} ${operationKind} ${operationId}, attempt ${attempt}`,
        details: { correctsSubmissionId: queued.correctsSubmissionId },
      },
    },
    {
      workflowId: t.workflowId,
      state: sending,
      entry: {
        event: 'submission.sending',
        actor: 'system',
        result: 'OK',
        startedAtMs: t.sendingAtMs,
        detail: `to ${counterpart} as ${submissionId}`,
      },
    },
    {
      workflowId: t.workflowId,
      state: acknowledged,
      entry: {
        event: 'submission.acknowledged',
        actor: 'system',
        result: 'OK',
        startedAtMs: t.acknowledgedAtMs,
        detail: `messageId ${receipt.messageId}; rejection window until ${windowEndsAt}`,
        details: { receipt },
      },
    },
  ];
}
