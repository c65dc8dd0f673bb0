import { ApplicationFailure, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { AfmActivities } from '../../activities/afm.js';
import type { EsuSubmissionActivities } from '../../activities/esu-submissions.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../domain/errors.js';
import { SubmissionStatus, type SubmissionReceipt } from '../../domain/submission.js';
import { rootMessage } from '../failures.js';
import { rejected } from './rejection.js';
import { advance, clock, iso, record, type SubmissionRun } from './run.js';

/** Attempts of one send round (backoff 1, 2, 4, 8 s) before the workflow decides: maintenance, pause, or FAILED. */
export const SEND_ATTEMPTS_PER_ROUND = 5;
/** Patch name: a history recorded before it replays the old path (FAILED past the outage deadline). */
export const NEVER_STOP_RETRYING_PATCH = 'submission-never-stops-retrying';

const sender = proxyActivities<AfmActivities & EsuSubmissionActivities>({
  startToCloseTimeout: '30 seconds', // the e-government integration rules: a synchronous call answers within 30 s; the receipt within 1 minute
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: SEND_ATTEMPTS_PER_ROUND,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

const KNOWN_TYPES = new Set<string>(Object.values(ErrorType));

/** The typed failure in a cause chain; plain errors (5xx, timeouts, resets) have none and are transient. */
function typedFailure(err: unknown): ApplicationFailure | undefined {
  for (let current: unknown = err; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure && current.type && KNOWN_TYPES.has(current.type)) return current;
  }
  return undefined;
}

/** The pause before send round `round` (1-based) of an outage: doubling from the first, never past the cap. */
export function outagePause(round: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(round - 1, 0), 20));
}

/** Send rounds until a receipt, a refusal, or the outage deadline; maintenance windows are waited out. */
export async function deliver(run: SubmissionRun): Promise<void> {
  const { state } = run;
  const policy = run.policy!;
  let outageSinceMs: number | undefined;
  let outageRounds = 0;
  let outageJournalled = false;
  if (state.status !== SubmissionStatus.Retrying)
    await advance(
      run,
      SubmissionStatus.Sending,
      'submission.sending',
      `to ${state.counterpart} as ${state.submissionId}`,
    );
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
      await acknowledged(run, receipt);
      return;
    } catch (err) {
      const failure = typedFailure(err);
      if (failure?.type === ErrorType.SubmissionRejected) {
        const info = failure.details?.[0] as { code?: string; reason?: string } | undefined;
        await rejected(run, {
          code: info?.code ?? 'REJECTED',
          reason: info?.reason ?? failure.message,
          rejectedAt: iso(Date.now()),
          source: 'SYNCHRONOUS',
        });
        return;
      }
      // A refusal of the transport (credentials, signature, contract): retrying cannot fix it.
      if (failure && failure.type !== ErrorType.CounterpartUnavailable) {
        await fail(run, failure.type!, failure.message);
        return;
      }
      const now = Date.now();
      const message = rootMessage(err);
      const window = await clock.maintenanceWindow({ atMs: now });
      if (window.endsAtMs !== undefined) {
        state.maintenanceUntil = iso(window.endsAtMs);
        await advance(
          run,
          SubmissionStatus.WaitingMaintenance,
          'submission.waiting-maintenance',
          `${state.counterpart} unreachable during maintenance until ${state.maintenanceUntil}: ${message}`,
        );
        await sleep(window.endsAtMs - now);
        state.maintenanceUntil = undefined;
        outageSinceMs = undefined; // the outage deadline counts outside maintenance only
        outageRounds = 0;
        await advance(
          run,
          SubmissionStatus.Retrying,
          'submission.maintenance-over',
          'sending again after the maintenance window',
        );
        continue;
      }
      outageSinceMs ??= roundStartedMs;
      const deadlineMs = outageSinceMs + policy.outageDeadlineMs;
      if (patched(NEVER_STOP_RETRYING_PATCH)) {
        // AFM order No. 9, item 4(4): transmission stays automatic. A transient outage never ends the submission: it sends
        // again with a doubling, capped pause until the counterpart answers. Past the outage deadline it is
        // journalled once; the incident is the counterpart-unreachable detector's, which sees every failed exchange.
        outageRounds += 1;
        const pauseMs = outagePause(outageRounds, policy.retryPauseMs, policy.retryPauseMaxMs ?? policy.retryPauseMs);
        state.lastError = { message, at: iso(now) };
        state.outageSince = iso(outageSinceMs);
        state.nextAttemptAt = iso(now + pauseMs);
        state.status = SubmissionStatus.Retrying;
        if (now >= deadlineMs && !outageJournalled) {
          outageJournalled = true;
          const minutes = Math.round((now - outageSinceMs) / 60_000);
          await record(
            run,
            'submission.outage',
            'system',
            'FAILED',
            `${state.counterpart} unreachable for ${minutes} minutes outside maintenance: ${message}; sending again until it answers`,
            { nextAttemptAt: state.nextAttemptAt },
          );
        } else {
          await record(
            run,
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
          run,
          ErrorType.CounterpartUnavailable,
          `${state.counterpart} unreachable for ${Math.round((now - outageSinceMs) / 60_000)} minutes outside maintenance: ${message}`,
        );
        return;
      }
      if (state.status !== SubmissionStatus.Retrying)
        await advance(run, SubmissionStatus.Retrying, 'submission.retrying', message, undefined, 'FAILED');
      await sleep(Math.min(policy.retryPauseMs, deadlineMs - now));
    }
  }
}

/**
 * The counterpart's receipt. ESU's is final (ACCEPTED); AFM's opens its rejection window, to the end of the next
 * Kazakhstan working day (AFM order No. 9, item 5(3)), computed by an activity from the calendar.
 */
async function acknowledged(run: SubmissionRun, receipt: SubmissionReceipt): Promise<void> {
  const { state } = run;
  const now = Date.now();
  state.receipt = receipt;
  state.sentAt = receipt.sentAt;
  state.acknowledgedAt = iso(now);
  if (receipt.final) {
    state.acceptedAt = iso(now);
    await advance(
      run,
      SubmissionStatus.Accepted,
      'submission.accepted',
      `${state.counterpart} receipt ${receipt.messageId}`,
      {
        receipt,
      },
    );
    return;
  }
  const window = await clock.rejectionWindowEnd({ acknowledgedAtMs: now });
  state.windowEndsAt = iso(window.endsAtMs);
  if (!window.calendarCovered) state.calendarCovered = false;
  await advance(
    run,
    SubmissionStatus.AwaitingVerdict,
    'submission.acknowledged',
    `messageId ${receipt.messageId}; rejection window until ${state.windowEndsAt}`,
    { receipt },
  );
}

/** A refusal a retry cannot fix: FAILED, until an officer's retry or a starting worker's resume sends again. */
async function fail(run: SubmissionRun, type: string, message: string): Promise<void> {
  const { state } = run;
  state.failedAt = iso(Date.now());
  state.failure = { type, message };
  await advance(
    run,
    SubmissionStatus.Failed,
    'submission.failed',
    `${type}: ${message}`,
    { failure: state.failure },
    'FAILED',
  );
}
