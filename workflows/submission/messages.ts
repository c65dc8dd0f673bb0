import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RecordWrittenNotice } from '../../domain/submission-notice.js';
import type {
  AfmVerdictSignal,
  ResubmitSubmission,
  RetrySubmission,
  SubmissionState,
} from '../../domain/submission.js';

/**
 * How compliance, AFM and the worker talk to a submission. Defined here so the client, the console, the API,
 * the verdict reader and the worker import the same definitions as the workflow.
 */
export const getSubmissionStatusQuery = defineQuery<SubmissionState>('getStatus');
/** An officer sends a FAILED submission again, under the same idempotency key. */
export const retrySubmissionUpdate = defineUpdate<SubmissionState, [RetrySubmission]>('retrySubmission');
/** An officer corrects a REJECTED submission: the corrected record goes out as the next attempt. */
export const resubmitSubmissionUpdate = defineUpdate<SubmissionState, [ResubmitSubmission]>('resubmitSubmission');
/**
 * AFM's written notice (AFM order No. 9, item 5(3)), recorded by an officer: the submission becomes REJECTED
 * with the officer's due date counted from the notice's date.
 */
export const recordWrittenNoticeUpdate = defineUpdate<SubmissionState, [RecordWrittenNotice]>('recordWrittenNotice');

/** AFM's verdict (the e-government integration rules §47), fetched by the verdict reader or pushed to the API. */
export const afmVerdictSignal = defineSignal<[AfmVerdictSignal]>('afmVerdict');
/** Sent by a starting worker to every FAILED submission: a refusal a retry could not fix may be fixed now. */
export const resumeSubmissionSignal = defineSignal<[{ reason: string }]>('resumeSubmission');
