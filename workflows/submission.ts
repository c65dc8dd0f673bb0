import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { rootMessage } from './failures.js';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { z } from 'zod';
import type { AfmActivities } from '../activities/afm.js';
import type { EsuSubmissionActivities } from '../activities/esu-submissions.js';
import type {
  SubmissionCalendarActivities,
  SubmissionJournalEntry,
  SubmissionPolicy,
  SubmissionStoreActivities,
} from '../activities/submissions.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { submissionSearchAttributes, SubmissionStatusKey } from '../domain/search-attributes.js';
import {
  AfmVerdictSignal,
  resubmissionId,
  ResubmitSubmission,
  RetrySubmission,
  SubmissionInput,
  SubmissionStatus,
  submissionWorkflowId,
  type SubmissionReceipt,
  type SubmissionRejectionInfo,
  type SubmissionState,
} from '../domain/submission.js';
import type { RecordWrittenNotice } from '../domain/submission-notice.js';
import { registerWrittenNotice } from './submission-notice.js';
import {
  afmVerdictSignal,
  NEVER_STOP_RETRYING_PATCH,
  outagePause,
  resumeSubmissionSignal,
  VERDICT_BY_SIGNAL_PATCH,
} from './submission-verdicts.js';

export const getSubmissionStatusQuery = defineQuery<SubmissionState>('getStatus');
export const retrySubmissionUpdate = defineUpdate<SubmissionState, [RetrySubmission]>('retrySubmission');
export const resubmitSubmissionUpdate = defineUpdate<SubmissionState, [ResubmitSubmission]>('resubmitSubmission');

/** Attempts of one send round (backoff 1, 2, 4, 8 s) before the workflow decides: maintenance, pause, or FAILED. */
export const SEND_ATTEMPTS_PER_ROUND = 5;
/** How long the retry update waits for the resend's outcome before answering with the state so far. */
export const RETRY_ANSWER_WAIT = '20 seconds';

const nonRetryableErrorTypes = NON_RETRYABLE_ERROR_TYPES;
const store = proxyLocalActivities<SubmissionStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});
const clock = proxyLocalActivities<SubmissionCalendarActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '30 seconds' },
});
const sender = proxyActivities<AfmActivities & EsuSubmissionActivities>({
  startToCloseTimeout: '30 seconds', // the e-government integration rules: a synchronous call answers within 30 s; the receipt within 1 minute
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: SEND_ATTEMPTS_PER_ROUND,
    nonRetryableErrorTypes,
  },
});
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

/** What continue-as-new carries over: the state so far and the worker's policy read at the start. */
export interface SubmissionCarryOver {
  state: SubmissionState;
  /** Absent when the client reopens a closed submission for AFM's written notice: the run reads it again. */
  policy?: SubmissionPolicy;
  /** AFM's written notice that reopens a closed (ACCEPTED) submission in a new run of its workflow id. */
  notice?: RecordWrittenNotice;
}

const iso = (ms: number) => new Date(ms).toISOString();
const refused = (type: ErrorType, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
const KNOWN_TYPES = new Set<string>(Object.values(ErrorType));

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw refused(ErrorType.InvalidInput, `${what}: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

/** The typed failure in a cause chain; plain errors (5xx, timeouts, resets) have none and are transient. */
function typedFailure(err: unknown): ApplicationFailure | undefined {
  for (let current: unknown = err; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure && current.type && KNOWN_TYPES.has(current.type)) return current;
  }
  return undefined;
}

/**
 * One regulator submission: one record to one counterpart, as a long-lived state machine.
 *
 * QUEUED → SENDING → (RETRYING | WAITING_MAINTENANCE)* → ACKNOWLEDGED → ACCEPTED, or → REJECTED → CORRECTED; or FAILED (→ SENDING).
 *
 * - Sending signs the record and sends it with the submission id as idempotency key; every round after the first
 *   asks the counterpart first whether an earlier one landed, so a lost answer is never resent blindly.
 * - Transient faults retry with backoff. When the counterpart is down inside a maintenance window (the e-government integration rules, item 48:
 *   21:00–06:00, weekends and holidays) the workflow waits for the window to end instead of failing; outside
 *   maintenance it keeps sending with a doubling, capped pause however long the outage lasts (RETRYING, with its
 *   last error and next attempt; AFM order No. 9, item 4(4)). Only a refusal a retry cannot fix (wrong key, signature) is
 *   FAILED: an officer's `retrySubmission`, or a starting worker's `resumeSubmission` signal, sends again.
 *   (Runs from before the never-stop patch still give up after the outage deadline.)
 * - AFM acknowledges with a messageId (the e-government integration rules §47), but may still say within 1 working day why it cannot accept
 *   the data (AFM order No. 9, item 5(3)). AFM's verdict arrives as the `afmVerdict` signal, from the verdict reader (its
 *   messages feed) or the API (its push); the submission only waits, with one timer to the window's end, which
 *   comes from the Kazakhstan working-day calendar (an activity reads it). Then one status check, so a lost
 *   message cannot become a wrong ACCEPTED; no rejection → ACCEPTED. (Runs from before the verdict-by-signal
 *   patch keep polling AFM's status endpoint at SUBMISSION_POLL_INTERVAL.)
 * - ESU answers synchronously: its receipt is the final verdict, with no window. A submission started with
 *   `initialRejection` (ESU refused a settlement or payout record after money moved) begins at REJECTED.
 * - REJECTED waits for compliance: `resubmitSubmission` starts the corrected record as a new submission
 *   (attempt n + 1, its id derived from the original's, so it is never sent twice) and this one ends CORRECTED.
 *   An untouched rejection is reminded at the configured point and escalated at the officers' due time.
 * - AFM's written notice (AFM order No. 9, item 5(3), by letter or e-mail, maybe after the window closed) is recorded by an
 *   officer (`recordWrittenNotice`, workflows/submission-notice.ts): ACKNOWLEDGED or ACCEPTED → REJECTED, due date
 *   from the notice's date. A closed ACCEPTED submission is reopened by a new run carrying its state and the notice.
 * Every transition is journalled and mirrored to the `submissions` table; status goes to `SubmissionStatus`.
 */
export async function submission(rawInput: SubmissionInput, carried?: SubmissionCarryOver): Promise<SubmissionState> {
  const input = parsed(SubmissionInput, rawInput, 'submission input');
  const { workflowId } = workflowInfo();
  const originalSubmissionId = input.originalSubmissionId ?? input.submissionId;
  const state: SubmissionState = carried?.state ?? {
    submissionId: input.submissionId,
    counterpart: input.payload.counterpart,
    operationId: input.operationId,
    operationKind: input.operationKind,
    bettorRef: input.bettorRef,
    attempt: input.attempt,
    originalSubmissionId,
    ...(input.correctsSubmissionId ? { correctsSubmissionId: input.correctsSubmissionId } : {}),
    status: SubmissionStatus.Queued,
    payload: input.payload,
    queuedAt: iso(Date.now()),
    sendRounds: 0,
    polls: 0,
    retries: [],
    revision: 0,
  };
  let policy = carried?.policy;
  let retryRequested = false;
  let resubmitting = false;
  let statusInVisibility: string | undefined;
  /** AFM's verdict as signalled (feed or push); the first one counts. */
  let verdict: AfmVerdictSignal | undefined;
  let resumeReason: string | undefined;

  async function record(
    event: string,
    actor: string,
    result: SubmissionJournalEntry['result'],
    detail?: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    state.revision += 1;
    if (state.status !== statusInVisibility) {
      upsertSearchAttributes([{ key: SubmissionStatusKey, value: state.status }]);
      statusInVisibility = state.status;
    }
    const snapshot = JSON.parse(JSON.stringify(state)) as SubmissionState;
    await store.recordSubmission({
      workflowId,
      state: snapshot,
      entry: { event, actor, result, startedAtMs: Date.now(), detail, details },
    });
  }

  async function advance(
    status: SubmissionStatus,
    event: string,
    detail?: string,
    details?: Record<string, unknown>,
    result: SubmissionJournalEntry['result'] = 'OK',
  ): Promise<void> {
    state.status = status;
    await record(event, 'system', result, detail, details);
  }

  setHandler(getSubmissionStatusQuery, () => state);

  // The e-government integration rules §47: AFM's result, fetched from its messages or pushed to us. A verdict for a submission that is no
  // longer waiting for one (already rejected, accepted or corrected) changes nothing; a second one neither.
  setHandler(afmVerdictSignal, (raw) => {
    const parsedVerdict = AfmVerdictSignal.safeParse(raw);
    if (!parsedVerdict.success || verdict) return;
    const done: string[] = [SubmissionStatus.Accepted, SubmissionStatus.Rejected, SubmissionStatus.Corrected];
    if (state.counterpart !== 'AFM' || done.includes(state.status)) return;
    verdict = parsedVerdict.data;
  });
  setHandler(resumeSubmissionSignal, ({ reason }) => {
    if (state.status === SubmissionStatus.Failed && !retryRequested)
      resumeReason = String(reason ?? 'worker started').slice(0, 200);
  });

  setHandler(
    retrySubmissionUpdate,
    async (cmd) => {
      const { actor } = parsed(RetrySubmission, cmd, 'retrySubmission');
      retryRequested = true;
      state.retries.push({ actor, at: iso(Date.now()) });
      await record(
        'submission.retry-requested',
        actor,
        'OK',
        `resend under the same idempotency key ${state.submissionId}`,
      );
      await condition(() => !retryRequested && state.status !== SubmissionStatus.Sending, RETRY_ANSWER_WAIT);
      return state;
    },
    {
      validator: (cmd) => {
        parsed(RetrySubmission, cmd, 'retrySubmission');
        if (state.status !== SubmissionStatus.Failed || retryRequested) {
          throw refused(
            ErrorType.SubmissionStepRejected,
            `only a FAILED submission can be retried; ${state.submissionId} is ${state.status}${retryRequested ? ' (a retry is already on its way)' : ''}`,
          );
        }
      },
    },
  );

  setHandler(
    resubmitSubmissionUpdate,
    async (cmd) => {
      const { payload, actor } = parsed(ResubmitSubmission, cmd, 'resubmitSubmission');
      if (state.correctedBy) return state; // the same correction asked again: the existing link, nothing sent
      if (resubmitting) {
        await condition(() => state.correctedBy !== undefined || !resubmitting);
        if (state.correctedBy) return state;
        throw refused(
          ErrorType.SubmissionStepRejected,
          `the resubmission of ${state.submissionId} could not be started; try again`,
        );
      }
      resubmitting = true;
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
        await startChild(submission, {
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
          resubmitting = false;
          throw err;
        }
      }
      state.correctedBy = { submissionId: childId, workflowId: childWorkflowId, actor, at: iso(Date.now()) };
      resubmitting = false;
      state.status = SubmissionStatus.Corrected;
      await record('submission.corrected', actor, 'OK', `corrected by ${childId} (attempt ${attempt})`, {
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

  async function rejected(rejection: SubmissionRejectionInfo, actor = 'system'): Promise<void> {
    const rejectedAtMs = Math.min(Date.parse(rejection.rejectedAt), Date.now());
    const deadline = await clock.officerDeadline({ rejectedAtMs });
    state.rejection = rejection;
    state.officerDueAt = iso(deadline.dueAtMs);
    state.reminderAt = iso(deadline.reminderAtMs);
    if (!deadline.calendarCovered) state.calendarCovered = false;
    state.status = SubmissionStatus.Rejected;
    await record('submission.rejected', actor, 'REFUSED', `${rejection.code}: ${rejection.reason}`, {
      rejection,
      dueAt: state.officerDueAt,
    });
  }

  // AFM's written notice (AFM order No. 9, item 5(3)): its own module, registered with the other handlers.
  const writtenNotice = registerWrittenNotice({ state, reject: rejected, record });

  async function acknowledged(receipt: SubmissionReceipt): Promise<void> {
    const now = Date.now();
    state.receipt = receipt;
    state.sentAt = receipt.sentAt;
    state.acknowledgedAt = iso(now);
    if (receipt.final) {
      state.acceptedAt = iso(now);
      await advance(
        SubmissionStatus.Accepted,
        'submission.accepted',
        `${state.counterpart} receipt ${receipt.messageId}`,
        { receipt },
      );
      return;
    }
    const window = await clock.rejectionWindowEnd({ acknowledgedAtMs: now });
    state.windowEndsAt = iso(window.endsAtMs);
    if (!window.calendarCovered) state.calendarCovered = false;
    await advance(
      SubmissionStatus.AwaitingVerdict,
      'submission.acknowledged',
      `messageId ${receipt.messageId}; rejection window until ${state.windowEndsAt}`,
      { receipt },
    );
  }

  async function fail(type: string, message: string): Promise<void> {
    state.failedAt = iso(Date.now());
    state.failure = { type, message };
    await advance(
      SubmissionStatus.Failed,
      'submission.failed',
      `${type}: ${message}`,
      { failure: state.failure },
      'FAILED',
    );
  }

  /** Send rounds until a receipt, a refusal, or the outage deadline; maintenance windows are waited out. */
  async function deliver(): Promise<void> {
    let outageSinceMs: number | undefined;
    let outageRounds = 0;
    let outageJournalled = false;
    if (state.status !== SubmissionStatus.Retrying)
      await advance(SubmissionStatus.Sending, 'submission.sending', `to ${state.counterpart} as ${state.submissionId}`);
    for (;;) {
      const roundStartedMs = Date.now();
      const checkFirst = state.sendRounds > 0;
      state.sendRounds += 1;
      try {
        const payload = state.payload;
        const receipt =
          payload.counterpart === 'AFM'
            ? await sender.sendAfmSubmission({
                submissionId: state.submissionId,
                sentAt: state.queuedAt,
                record: payload.record,
                checkFirst,
              })
            : await sender.sendEsuSubmission({ submissionId: state.submissionId, record: payload.record, checkFirst });
        state.maintenanceUntil = undefined;
        state.lastError = undefined;
        state.nextAttemptAt = undefined;
        state.outageSince = undefined;
        await acknowledged(receipt);
        return;
      } catch (err) {
        const failure = typedFailure(err);
        if (failure?.type === ErrorType.SubmissionRejected) {
          const info = failure.details?.[0] as { code?: string; reason?: string } | undefined;
          await rejected({
            code: info?.code ?? 'REJECTED',
            reason: info?.reason ?? failure.message,
            rejectedAt: iso(Date.now()),
            source: 'SYNCHRONOUS',
          });
          return;
        }
        // A refusal of the transport (credentials, signature, contract): retrying cannot fix it.
        if (failure && failure.type !== ErrorType.CounterpartUnavailable) {
          await fail(failure.type!, failure.message);
          return;
        }
        const now = Date.now();
        const message = rootMessage(err);
        const window = await clock.maintenanceWindow({ atMs: now });
        if (window.endsAtMs !== undefined) {
          state.maintenanceUntil = iso(window.endsAtMs);
          await advance(
            SubmissionStatus.WaitingMaintenance,
            'submission.waiting-maintenance',
            `${state.counterpart} unreachable during maintenance until ${state.maintenanceUntil}: ${message}`,
          );
          await sleep(window.endsAtMs - now);
          state.maintenanceUntil = undefined;
          outageSinceMs = undefined; // the outage deadline counts outside maintenance only
          outageRounds = 0;
          await advance(
            SubmissionStatus.Retrying,
            'submission.maintenance-over',
            'sending again after the maintenance window',
          );
          continue;
        }
        outageSinceMs ??= roundStartedMs;
        const deadlineMs = outageSinceMs + policy!.outageDeadlineMs;
        if (patched(NEVER_STOP_RETRYING_PATCH)) {
          // AFM order No. 9, item 4(4): transmission stays automatic. A transient outage never ends the submission: it sends
          // again with a doubling, capped pause until the counterpart answers. Past the outage deadline it is
          // journalled once; the incident is the counterpart-unreachable detector's, which sees every failed exchange.
          outageRounds += 1;
          const pauseMs = outagePause(
            outageRounds,
            policy!.retryPauseMs,
            policy!.retryPauseMaxMs ?? policy!.retryPauseMs,
          );
          state.lastError = { message, at: iso(now) };
          state.outageSince = iso(outageSinceMs);
          state.nextAttemptAt = iso(now + pauseMs);
          state.status = SubmissionStatus.Retrying;
          if (now >= deadlineMs && !outageJournalled) {
            outageJournalled = true;
            const minutes = Math.round((now - outageSinceMs) / 60_000);
            await record(
              'submission.outage',
              'system',
              'FAILED',
              `${state.counterpart} unreachable for ${minutes} minutes outside maintenance: ${message}; sending again until it answers`,
              {
                nextAttemptAt: state.nextAttemptAt,
              },
            );
          } else {
            await record(
              outageRounds === 1 ? 'submission.retrying' : 'submission.retry-scheduled',
              'system',
              'FAILED',
              message,
              { nextAttemptAt: state.nextAttemptAt },
            );
          }
          await sleep(pauseMs);
          continue;
        }
        if (now >= deadlineMs) {
          await fail(
            ErrorType.CounterpartUnavailable,
            `${state.counterpart} unreachable for ${Math.round((now - outageSinceMs) / 60_000)} minutes outside maintenance: ${message}`,
          );
          return;
        }
        if (state.status !== SubmissionStatus.Retrying)
          await advance(SubmissionStatus.Retrying, 'submission.retrying', message, undefined, 'FAILED');
        await sleep(Math.min(policy!.retryPauseMs, deadlineMs - now));
      }
    }
  }

  /**
   * Waits for AFM's verdict signal (its messages feed or its push) until the rejection window closes: one timer,
   * no activity, no poll. Then one status check, so a lost message cannot turn into a wrong ACCEPTED.
   */
  async function awaitVerdictSignal(): Promise<void> {
    const endsAtMs = Date.parse(state.windowEndsAt!);
    const messageId = state.receipt!.messageId;
    const remaining = endsAtMs - Date.now();
    // A written notice recorded meanwhile (submission-notice.ts) has already turned it REJECTED: nothing to wait for.
    const noticed = () => state.status !== SubmissionStatus.AwaitingVerdict;
    if (!verdict && remaining > 0) {
      await condition(() => verdict !== undefined || noticed() || workflowInfo().continueAsNewSuggested, remaining);
    }
    if (noticed()) return;
    if (verdict) {
      const v = verdict;
      await rejected({
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
      const r = status.rejection;
      await rejected({
        code: r?.code ?? 'REJECTED',
        reason: r?.reason ?? 'AFM did not give a reason',
        rejectedAt: r?.rejectedAt ?? iso(Date.now()),
        source: 'VERDICT',
        channel: 'STATUS',
      });
      return;
    }
    state.acceptedAt = iso(Date.now());
    await advance(
      SubmissionStatus.Accepted,
      'submission.accepted',
      `no rejection by the end of the window (${state.windowEndsAt})`,
      { polls: state.polls },
    );
  }

  /** Polls AFM's verdict until the rejection window closes, then once more; no rejection → ACCEPTED. */
  async function awaitVerdict(): Promise<void> {
    const endsAtMs = Date.parse(state.windowEndsAt!);
    const messageId = state.receipt!.messageId;
    for (;;) {
      const now = Date.now();
      const final = now >= endsAtMs;
      if (!final) {
        await condition(
          () => workflowInfo().continueAsNewSuggested || state.status !== SubmissionStatus.AwaitingVerdict,
          Math.min(policy!.pollIntervalMs, endsAtMs - now),
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
        const r = verdict.rejection;
        await rejected({
          code: r?.code ?? 'REJECTED',
          reason: r?.reason ?? 'AFM did not give a reason',
          rejectedAt: r?.rejectedAt ?? iso(Date.now()),
          source: 'VERDICT',
        });
        return;
      }
      if (final) {
        state.acceptedAt = iso(Date.now());
        await advance(
          SubmissionStatus.Accepted,
          'submission.accepted',
          `no rejection by the end of the window (${state.windowEndsAt})`,
          { polls: state.polls },
        );
        return;
      }
    }
  }

  /** Waits for compliance; reminds at the configured point and escalates at the due time, then keeps waiting. */
  async function awaitCorrection(): Promise<void> {
    while (state.status === SubmissionStatus.Rejected && !workflowInfo().continueAsNewSuggested) {
      if (resubmitting) {
        await condition(() => !resubmitting);
        continue;
      }
      const stop = () =>
        state.status !== SubmissionStatus.Rejected || resubmitting || workflowInfo().continueAsNewSuggested;
      const next = !state.remindedAt ? state.reminderAt : !state.escalatedAt ? state.officerDueAt : undefined;
      if (next === undefined) {
        await condition(stop);
        continue;
      }
      const wait = Date.parse(next) - Date.now();
      if (wait > 0 && (await condition(stop, wait))) continue;
      if (!state.remindedAt) {
        state.remindedAt = iso(Date.now());
        await record('submission.reminder', 'system', 'OK', `correction due by ${state.officerDueAt}`);
      } else {
        state.escalatedAt = iso(Date.now());
        await record(
          'submission.escalated',
          'system',
          'ESCALATED',
          `not corrected within 1 working day of the rejection (due ${state.officerDueAt})`,
        );
      }
    }
  }

  // Set here as well as by the starter: a child started by a saga may come without them.
  upsertSearchAttributes(submissionSearchAttributes(state));
  statusInVisibility = state.status;

  if (!carried) {
    policy = await clock.submissionPolicy();
    await record(
      'submission.queued',
      input.actor,
      'OK',
      `${state.counterpart} ${state.operationKind} ${state.operationId}, attempt ${state.attempt}`,
      {
        correctsSubmissionId: state.correctsSubmissionId,
      },
    );
    if (input.initialRejection) await rejected({ ...input.initialRejection, source: 'INITIAL' });
  } else if (carried.notice) {
    policy ??= await clock.submissionPolicy();
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
      await continueAsNew<typeof submission>(input, { state, policy: policy! });
    }
    switch (state.status) {
      case SubmissionStatus.Rejected:
        await awaitCorrection();
        break;
      case SubmissionStatus.Failed:
        await condition(() => retryRequested || resumeReason !== undefined || workflowInfo().continueAsNewSuggested);
        if (retryRequested) {
          retryRequested = false;
          resumeReason = undefined;
          await deliver();
        } else if (resumeReason !== undefined) {
          // A refusal a retry cannot fix may have been fixed by the configuration a restarted worker brings.
          const reason = resumeReason;
          resumeReason = undefined;
          await record(
            'submission.resumed',
            'system',
            'OK',
            `sending again under the same idempotency key ${state.submissionId}: ${reason}`,
          );
          await deliver();
        }
        break;
      case SubmissionStatus.AwaitingVerdict:
        if (state.counterpart === 'AFM' && patched(VERDICT_BY_SIGNAL_PATCH)) await awaitVerdictSignal();
        else await awaitVerdict();
        break;
      default:
        await deliver();
    }
  }
  return state;
}
