import { condition, workflowInfo } from '@temporalio/workflow';
import { SubmissionStatus, type SubmissionRejectionInfo } from '../../domain/submission.js';
import { clock, iso, record, type SubmissionRun } from './run.js';

/**
 * A rejection, whoever made it (the counterpart's answer, AFM's verdict or written notice, or the saga that
 * started the submission): REJECTED, with the officers' 1 working day to correct it and the reminder before it.
 */
export async function rejected(
  run: SubmissionRun,
  rejection: SubmissionRejectionInfo,
  actor = 'system',
): Promise<void> {
  const { state } = run;
  const rejectedAtMs = Math.min(Date.parse(rejection.rejectedAt), Date.now());
  const deadline = await clock.officerDeadline({ rejectedAtMs });
  state.rejection = rejection;
  state.officerDueAt = iso(deadline.dueAtMs);
  state.reminderAt = iso(deadline.reminderAtMs);
  if (!deadline.calendarCovered) state.calendarCovered = false;
  state.status = SubmissionStatus.Rejected;
  await record(run, 'submission.rejected', actor, 'REFUSED', `${rejection.code}: ${rejection.reason}`, {
    rejection,
    dueAt: state.officerDueAt,
  });
}

/** Waits for compliance; reminds at the configured point and escalates at the due time, then keeps waiting. */
export async function awaitCorrection(run: SubmissionRun): Promise<void> {
  const { state } = run;
  while (state.status === SubmissionStatus.Rejected && !workflowInfo().continueAsNewSuggested) {
    if (run.resubmitting) {
      await condition(() => !run.resubmitting);
      continue;
    }
    const stop = () =>
      state.status !== SubmissionStatus.Rejected || run.resubmitting || workflowInfo().continueAsNewSuggested;
    const next = !state.remindedAt ? state.reminderAt : !state.escalatedAt ? state.officerDueAt : undefined;
    if (next === undefined) {
      await condition(stop);
      continue;
    }
    const wait = Date.parse(next) - Date.now();
    if (wait > 0 && (await condition(stop, wait))) continue;
    if (!state.remindedAt) {
      state.remindedAt = iso(Date.now());
      await record(run, 'submission.reminder', 'system', 'OK', `correction due by ${state.officerDueAt}`);
    } else {
      state.escalatedAt = iso(Date.now());
      await record(
        run,
        'submission.escalated',
        'system',
        'ESCALATED',
        `not corrected within 1 working day of the rejection (due ${state.officerDueAt})`,
      );
    }
  }
}
