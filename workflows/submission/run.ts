import { ApplicationFailure, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { z } from 'zod';
import type {
  SubmissionCalendarActivities,
  SubmissionJournalEntry,
  SubmissionPolicy,
  SubmissionStoreActivities,
} from '../../activities/submissions.js';
import { ErrorType } from '../../domain/errors.js';
import { SubmissionStatusKey } from '../../domain/search-attributes.js';
import type { AfmVerdictSignal, SubmissionState, SubmissionStatus } from '../../domain/submission.js';

/**
 * What one run of a submission holds, shared by its steps and its message handlers. Every step takes it
 * explicitly; only the handlers (registered before the first await) and the steps change it.
 */
export interface SubmissionRun {
  readonly workflowId: string;
  /** The first attempt's id: every resubmission's id derives from it. */
  readonly originalSubmissionId: string;
  readonly state: SubmissionState;
  /** The worker's submission policy, read once at the start (or carried over by continue-as-new). */
  policy?: SubmissionPolicy;
  /** An officer's retrySubmission is waiting for the next send round. */
  retryRequested: boolean;
  /** A resubmitSubmission is starting the correction. */
  resubmitting: boolean;
  /** The status last written to the SubmissionStatus search attribute. */
  statusInVisibility?: string;
  /** AFM's verdict as signalled (feed or push); the first one counts. */
  verdict?: AfmVerdictSignal;
  /** Why a starting worker asked a FAILED submission to send again. */
  resumeReason?: string;
}

/** The submissions table and journal, written from the workflow task. */
export const store = proxyLocalActivities<SubmissionStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});
/** The working-day calendar, maintenance windows and policy (workflows read no files). */
export const clock = proxyLocalActivities<SubmissionCalendarActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '30 seconds' },
});

export const iso = (ms: number) => new Date(ms).toISOString();
export const refused = (type: ErrorType, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/** Parses a message's argument or the input; a bad field is an InvalidInput refusal that names it. */
export function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw refused(ErrorType.InvalidInput, `${what}: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

/** Journals a step and mirrors the state to the `submissions` table; a new status goes to `SubmissionStatus`. */
export async function record(
  run: SubmissionRun,
  event: string,
  actor: string,
  result: SubmissionJournalEntry['result'],
  detail?: string,
  details?: Record<string, unknown>,
): Promise<void> {
  const { state } = run;
  state.revision += 1;
  if (state.status !== run.statusInVisibility) {
    upsertSearchAttributes([{ key: SubmissionStatusKey, value: state.status }]);
    run.statusInVisibility = state.status;
  }
  const snapshot = JSON.parse(JSON.stringify(state)) as SubmissionState;
  await store.recordSubmission({
    workflowId: run.workflowId,
    state: snapshot,
    entry: { event, actor, result, startedAtMs: Date.now(), detail, details },
  });
}

/** Moves to `status` and journals it as the system's step. */
export async function advance(
  run: SubmissionRun,
  status: SubmissionStatus,
  event: string,
  detail?: string,
  details?: Record<string, unknown>,
  result: SubmissionJournalEntry['result'] = 'OK',
): Promise<void> {
  run.state.status = status;
  await record(run, event, 'system', result, detail, details);
}
