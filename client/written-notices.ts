import type { Pool } from '../db/pool.js';
import { deleteNotice, saveNotice } from '../store/notices.js';
import { noticeInstant, WrittenNoticeRequest } from '../domain/submission-notice.js';
import type { SubmissionState } from '../domain/submission.js';
import { InvalidRequestError } from './errors.js';
import { StepRejectedError } from './identification.js';
import type { SubmissionClient } from './submissions.js';

/** A letter dated more than this ahead of the clock is a typing error. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

/**
 * Records AFM's written notice (AFM order No. 9, item 5(3)) for the console, the CLI and the API: the scan goes
 * to PostgreSQL (submission_notices), the notice without the scan's bytes to the submission workflow, which
 * decides (REJECTED, due date from the notice's date). A notice the workflow refuses takes its row back.
 * Recording the same AFM reference again is idempotent: the first recording is kept and answered.
 */
export async function recordWrittenNotice(
  {
    pool,
    submissions,
    now = () => new Date(),
  }: { pool: Pool; submissions: Pick<SubmissionClient, 'recordWrittenNotice' | 'getSubmission'>; now?: () => Date },
  submissionId: string,
  request: unknown,
  actor: string,
): Promise<SubmissionState> {
  const parsed = WrittenNoticeRequest.safeParse(request);
  if (!parsed.success) throw InvalidRequestError.fromZod('recordWrittenNotice', parsed.error);
  const { afmReference, reason, scan } = parsed.data;
  const noticeDate = noticeInstant(parsed.data.noticeDate);
  if (Date.parse(noticeDate) > now().getTime() + FUTURE_SLACK_MS) {
    throw new InvalidRequestError('recordWrittenNotice', [
      { field: 'noticeDate', message: `${parsed.data.noticeDate} is in the future` },
    ]);
  }
  // Refuses an unknown submission before anything is stored (the workflow's own rules decide the rest).
  await submissions.getSubmission(submissionId);
  const bytes = Buffer.from(scan.contentBase64, 'base64');
  const { inserted, kept } = await saveNotice(pool, {
    submissionId,
    afmReference,
    noticeDate,
    reason,
    scan: bytes,
    mediaType: scan.mediaType,
    recordedBy: actor,
  });
  try {
    return await submissions.recordWrittenNotice(submissionId, {
      afmReference,
      noticeDate: kept.noticeDate,
      reason: kept.reason,
      scan: kept.scan,
      actor: kept.recordedBy,
    });
  } catch (err) {
    if (inserted && (err instanceof StepRejectedError || err instanceof InvalidRequestError))
      await deleteNotice(pool, submissionId, afmReference);
    throw err;
  }
}
