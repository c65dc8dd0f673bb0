import { log } from '@temporalio/activity';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { maintenanceWindowAt, type MaintenanceConfig } from '../domain/maintenance.js';
import { submissionRetainUntil, type SubmissionState } from '../domain/submission.js';
import { afmRejectionWindowEnd } from '../domain/afm-rejection-window.js';
import { calendarCoversRange, officerDueAt, type WorkingDayCalendar } from '../domain/working-days.js';
import { appendWorkflowStep } from '../store/journal.js';
import { createCalendarFileSource } from '../config/calendar-source.js';

/**
 * The submissions store (PostgreSQL `submissions`, migration 005) and the calendar arithmetic the submission
 * workflow needs. Both run as short local activities: the store from one `recordSubmission`, the
 * calendar here because workflows must not read files.
 */
export interface SubmissionJournalEntry {
  event: string;
  actor: string;
  result: 'OK' | 'REFUSED' | 'FAILED' | 'ESCALATED';
  /** Epoch ms (workflow time) when the step began; the end is when the row is written. */
  startedAtMs: number;
  detail?: string;
  details?: Record<string, unknown>;
}

export interface SubmissionRecord {
  workflowId: string;
  state: SubmissionState;
  entry: SubmissionJournalEntry;
}

const ts = (iso: string | undefined) => iso ?? null;

/** One step of a submission: its journal row and its `submissions` row moved to the snapshot (revision-guarded). */
export async function writeSubmissionStep(
  db: PoolClient,
  { workflowId, state, entry }: SubmissionRecord,
): Promise<void> {
  await appendWorkflowStep(db, entry, {
    recordId: state.submissionId,
    details: {
      workflowId,
      status: state.status,
      counterpart: state.counterpart,
      operationId: state.operationId,
      attempt: state.attempt,
      detail: entry.detail,
      ...entry.details,
    },
    dedupeKey: `submission:${state.submissionId}:${state.revision}`,
  });
  await db.query(
    `INSERT INTO submissions (submission_id, workflow_id, counterpart, operation_id, operation_kind, bettor_ref, attempt,
         original_submission_id, corrects_submission_id, corrected_by, status, message_id, receipt, rejection_code, rejection_reason,
         rejection_source, payload, sent_at, acknowledged_at, window_ends_at, rejected_at, accepted_at, failed_at, failure_type,
         failure_message, due_at, reminded_at, escalated_at, revision, retain_until, created_at, last_error, next_attempt_at, outage_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
         $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)
       ON CONFLICT (submission_id) DO UPDATE SET
         corrected_by = EXCLUDED.corrected_by, status = EXCLUDED.status, message_id = EXCLUDED.message_id, receipt = EXCLUDED.receipt,
         rejection_code = EXCLUDED.rejection_code, rejection_reason = EXCLUDED.rejection_reason, rejection_source = EXCLUDED.rejection_source,
         sent_at = EXCLUDED.sent_at, acknowledged_at = EXCLUDED.acknowledged_at, window_ends_at = EXCLUDED.window_ends_at,
         rejected_at = EXCLUDED.rejected_at, accepted_at = EXCLUDED.accepted_at, failed_at = EXCLUDED.failed_at,
         failure_type = EXCLUDED.failure_type, failure_message = EXCLUDED.failure_message, due_at = EXCLUDED.due_at,
         reminded_at = EXCLUDED.reminded_at, escalated_at = EXCLUDED.escalated_at, revision = EXCLUDED.revision,
         retain_until = GREATEST(submissions.retain_until, EXCLUDED.retain_until), last_error = EXCLUDED.last_error,
         next_attempt_at = EXCLUDED.next_attempt_at, outage_since = EXCLUDED.outage_since, updated_at = now()
       WHERE submissions.revision < EXCLUDED.revision`,
    [
      state.submissionId,
      workflowId,
      state.counterpart,
      state.operationId,
      state.operationKind,
      state.bettorRef,
      state.attempt,
      state.originalSubmissionId,
      state.correctsSubmissionId ?? null,
      state.correctedBy?.submissionId ?? null,
      state.status,
      state.receipt?.messageId ?? null,
      state.receipt ? JSON.stringify(state.receipt) : null,
      state.rejection?.code ?? null,
      state.rejection?.reason ?? null,
      state.rejection?.source ?? null,
      JSON.stringify(state.payload),
      ts(state.sentAt),
      ts(state.acknowledgedAt),
      ts(state.windowEndsAt),
      ts(state.rejection?.rejectedAt),
      ts(state.acceptedAt),
      ts(state.failedAt),
      state.failure?.type ?? null,
      state.failure?.message ?? null,
      ts(state.officerDueAt),
      ts(state.remindedAt),
      ts(state.escalatedAt),
      state.revision,
      submissionRetainUntil(state),
      state.queuedAt,
      state.lastError?.message ?? null,
      ts(state.nextAttemptAt),
      ts(state.outageSince),
    ],
  );
}

export function createSubmissionStoreActivities({ pool }: { pool: Pool }) {
  return {
    /**
     * Moves the submission's row to the workflow's snapshot and journals the step, in one transaction. The
     * revision makes it idempotent and ordered: a local activity that runs twice writes once, and an older
     * snapshot never overwrites a newer one.
     */
    async recordSubmission({ workflowId, state, entry }: SubmissionRecord): Promise<void> {
      await inTransaction(pool, (db) => writeSubmissionStep(db, { workflowId, state, entry }));
      if (entry.event === 'submission.escalated')
        log.error('submission correction overdue: escalated', {
          submissionId: state.submissionId,
          dueAt: state.officerDueAt,
        });
      else if (entry.event === 'submission.reminder')
        log.warn('submission correction due soon', { submissionId: state.submissionId, dueAt: state.officerDueAt });
    },
  };
}

export type SubmissionStoreActivities = ReturnType<typeof createSubmissionStoreActivities>;

/** The working-day calendar file (config/calendar-source.ts), its warnings in the activity's log. */
export const createCalendarSource = (path: string): (() => Promise<WorkingDayCalendar>) =>
  createCalendarFileSource(path, logWarn);

function logWarn(message: string, fields: Record<string, unknown> = {}): void {
  try {
    log.warn(message, fields);
  } catch {
    console.warn(message, fields); // outside an activity (the console reads the calendar too)
  }
}

/** What the workflow waits for and how often it asks; configured on the worker (config/submissions.ts). */
export interface SubmissionPolicy {
  /** How often the worker asks AFM for its verdict while the rejection window is open. */
  pollIntervalMs: number;
  /** Outside maintenance, how long the counterpart may stay unreachable before it counts as an outage (journalled, and the detectors' incident); before the never-stop patch, FAILED. */
  outageDeadlineMs: number;
  /** The first pause between send rounds while the counterpart is unreachable; it doubles up to retryPauseMaxMs. */
  retryPauseMs: number;
  /** The longest pause between send rounds, however long the outage (absent in policies read before it existed). */
  retryPauseMaxMs?: number;
  /** When to remind officers of an untouched rejection, as a fraction of their 1-working-day due time. */
  reminderFraction: number;
}

export interface SubmissionCalendarDeps {
  calendar: () => Promise<WorkingDayCalendar>;
  maintenance: MaintenanceConfig;
  policy: SubmissionPolicy;
}

export function createSubmissionCalendarActivities({ calendar, maintenance, policy }: SubmissionCalendarDeps) {
  function covered(fromMs: number, toMs: number, cal: WorkingDayCalendar): boolean {
    const ok = calendarCoversRange(fromMs, toMs, cal);
    if (!ok)
      logWarn(
        'the working-day calendar does not cover these dates: counting weekends only; update config/calendar/kz-working-days.json',
        { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
      );
    return ok;
  }
  return {
    async submissionPolicy(): Promise<SubmissionPolicy> {
      return policy;
    },

    /** AFM order No. 9, item 5(3): the end of the next working day after AFM's acknowledgement. */
    async rejectionWindowEnd({
      acknowledgedAtMs,
    }: {
      acknowledgedAtMs: number;
    }): Promise<{ endsAtMs: number; calendarCovered: boolean }> {
      const cal = await calendar();
      const endsAtMs = afmRejectionWindowEnd(acknowledgedAtMs, cal);
      return { endsAtMs, calendarCovered: covered(acknowledgedAtMs, endsAtMs, cal) };
    },

    /** The officers' 1 working day to correct a rejection, and the reminder point before it. */
    async officerDeadline({
      rejectedAtMs,
    }: {
      rejectedAtMs: number;
    }): Promise<{ dueAtMs: number; reminderAtMs: number; calendarCovered: boolean }> {
      const cal = await calendar();
      const dueAtMs = officerDueAt(rejectedAtMs, cal);
      return {
        dueAtMs,
        reminderAtMs: rejectedAtMs + Math.round((dueAtMs - rejectedAtMs) * policy.reminderFraction),
        calendarCovered: covered(rejectedAtMs, dueAtMs, cal),
      };
    },

    /** The e-government integration rules, item 48: the end of the maintenance window `atMs` falls in, if any. */
    async maintenanceWindow({ atMs }: { atMs: number }): Promise<{ endsAtMs?: number }> {
      const endsAtMs = maintenanceWindowAt(atMs, maintenance, await calendar());
      return endsAtMs === undefined ? {} : { endsAtMs };
    },
  };
}

export type SubmissionCalendarActivities = ReturnType<typeof createSubmissionCalendarActivities>;
