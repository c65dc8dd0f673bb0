import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { ErrorType } from '../../domain/errors.js';
import { RecordWrittenNotice, WRITTEN_NOTICE_CODE, type WrittenNotice } from '../../domain/submission-notice.js';
import { SubmissionStatus, type SubmissionState } from '../../domain/submission.js';
import { recordWrittenNoticeUpdate } from './messages.js';
import { rejected } from './rejection.js';
import { parsed, record, refused, type SubmissionRun } from './run.js';

// AFM's written notice (AFM order No. 9, item 5(3)) as an update of the submission workflow: an officer records
// it, the submission becomes REJECTED with the officer's due date counted from the notice's date, and the
// correction runs as for any rejection (`resubmitSubmission`). A notice for a submission whose workflow has
// closed (ACCEPTED) comes as the carry-over of a new run of the same workflow id (client/submissions.ts).

/** Which statuses a notice may find: AFM acknowledged the data (its window open or closed), or rejected it already. */
const NOTICE_STATUSES: readonly string[] = [
  SubmissionStatus.AwaitingVerdict,
  SubmissionStatus.Accepted,
  SubmissionStatus.Rejected,
];
/** A letter dated later than this after the workflow's clock is a typing error. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

const valid = (raw: unknown) => parsed(RecordWrittenNotice, raw, 'recordWrittenNotice');

/**
 * Why this submission cannot take this notice, or undefined when it can (or has it already: idempotent by AFM's
 * reference). Shared by the update's validator and the client's check of a closed run.
 */
export function noticeRefusal(
  state: SubmissionState,
  notice: RecordWrittenNotice,
  nowMs: number,
): ApplicationFailure | undefined {
  if (state.writtenNotices?.some((n) => n.afmReference === notice.afmReference)) return undefined;
  if (state.counterpart !== 'AFM') {
    return refused(
      ErrorType.InvalidInput,
      `recordWrittenNotice: submissionId: ${state.submissionId} is an ${state.counterpart} submission; a written notice comes from AFM`,
    );
  }
  if (state.status === SubmissionStatus.Corrected) {
    return refused(
      ErrorType.SubmissionStepRejected,
      `recordWrittenNotice: submissionId: ${state.submissionId} is already CORRECTED by ${state.correctedBy?.submissionId ?? 'its resubmission'}; record the notice on that one`,
    );
  }
  if (!NOTICE_STATUSES.includes(state.status)) {
    return refused(
      ErrorType.SubmissionStepRejected,
      `recordWrittenNotice: submissionId: ${state.submissionId} is ${state.status}: AFM has not acknowledged it, so it cannot have refused it in writing`,
    );
  }
  const dateMs = Date.parse(notice.noticeDate);
  if (dateMs > nowMs + FUTURE_SLACK_MS)
    return refused(ErrorType.InvalidInput, `recordWrittenNotice: noticeDate: ${notice.noticeDate} is in the future`);
  // A letter is dated by day: one dated the day before the acknowledgement (in any time zone) still counts.
  if (state.acknowledgedAt && dateMs < Date.parse(state.acknowledgedAt) - FUTURE_SLACK_MS) {
    return refused(
      ErrorType.InvalidInput,
      `recordWrittenNotice: noticeDate: ${notice.noticeDate} is before AFM acknowledged the submission (${state.acknowledgedAt})`,
    );
  }
  return undefined;
}

/** Registers the update; returns `apply` for a notice carried into a new run. Call before the workflow's first await. */
export function registerWrittenNotice(run: SubmissionRun): {
  apply(notice: RecordWrittenNotice): Promise<void>;
} {
  const { state } = run;
  let applying = 0;

  async function apply(raw: RecordWrittenNotice): Promise<void> {
    const notice = valid(raw);
    if (state.writtenNotices?.some((n) => n.afmReference === notice.afmReference)) return;
    patched('afm-written-notice');
    applying += 1;
    try {
      const kept: WrittenNotice = {
        afmReference: notice.afmReference,
        noticeDate: notice.noticeDate,
        reason: notice.reason,
        scan: notice.scan,
        recordedBy: notice.actor,
        recordedAt: new Date(Date.now()).toISOString(),
      };
      // Kept before the first await, so a second recording of the same reference finds it (idempotent).
      state.writtenNotices = [...(state.writtenNotices ?? []), kept];
      const summary = `AFM written notice ${notice.afmReference} of ${notice.noticeDate}: ${notice.reason}`;
      if (state.status === SubmissionStatus.Rejected) {
        // Already rejected (by AFM's status endpoint, or an earlier letter): the letter joins the file, the due date stays.
        await record(run, 'submission.written-notice', notice.actor, 'OK', summary, { notice: kept });
        return;
      }
      await record(run, 'submission.written-notice', notice.actor, 'OK', summary, {
        notice: kept,
        previousStatus: state.status,
      });
      await rejected(
        run,
        { code: WRITTEN_NOTICE_CODE, reason: notice.reason, rejectedAt: notice.noticeDate, source: 'NOTICE' },
        notice.actor,
      );
    } finally {
      applying -= 1;
    }
  }

  setHandler(
    recordWrittenNoticeUpdate,
    async (raw) => {
      await apply(raw);
      await condition(() => applying === 0); // a repeat waits for the first recording to finish
      return state;
    },
    {
      validator: (raw) => {
        const failure = noticeRefusal(state, valid(raw), Date.now());
        if (failure) throw failure;
      },
    },
  );
  return { apply };
}
