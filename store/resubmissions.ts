import type { Pool } from '../db/pool.js';
import { SubmissionPayload } from '../domain/submission.js';
import type { FieldChange } from '../domain/submission-correction.js';

/**
 * Corrections waiting for a second officer's approval (migration 018): a resubmission that changes an amount, a
 * currency or a date is held here until another officer or administrator approves it (then it goes through the
 * submission workflow's `resubmitSubmission`) or someone refuses it. The rules are domain/submission-correction.ts.
 */
export interface PendingApproval {
  approvalId: string;
  submissionId: string;
  payload: SubmissionPayload;
  changes: FieldChange[];
  requestedBy: string;
  requestedAt: string;
}

/** What the submission workflow wrote of the record it sent (005): the pins and the payload to compare with. */
export interface SubmittedRecord {
  status: string;
  counterpart: 'AFM' | 'ESU';
  operationId: string;
  operationKind: string;
  bettorRef: string;
  payload: SubmissionPayload;
}

const toSubmitted = (r: Record<string, any>): SubmittedRecord => ({
  status: r.status,
  counterpart: r.counterpart,
  operationId: r.operation_id,
  operationKind: r.operation_kind,
  bettorRef: r.bettor_ref,
  payload: SubmissionPayload.parse(r.payload),
});

export async function submittedRecord(pool: Pool, submissionId: string): Promise<SubmittedRecord | undefined> {
  const { rows } = await pool.query(
    `SELECT status, counterpart, operation_id, operation_kind, bettor_ref, payload FROM submissions WHERE submission_id = $1`,
    [submissionId],
  );
  return rows[0] ? toSubmitted(rows[0]) : undefined;
}

const toPending = (r: Record<string, any>): PendingApproval => ({
  approvalId: String(r.approval_id),
  submissionId: r.submission_id,
  payload: r.payload,
  changes: r.changes,
  requestedBy: r.requested_by,
  requestedAt: (r.requested_at as Date).toISOString(),
});

export async function pendingApproval(pool: Pool, submissionId: string): Promise<PendingApproval | undefined> {
  const { rows } = await pool.query(
    `SELECT * FROM resubmission_approvals WHERE submission_id = $1 AND status = 'PENDING'`,
    [submissionId],
  );
  return rows[0] ? toPending(rows[0]) : undefined;
}

/** Holds the correction; undefined when another one is already pending (the unique index decides a race). */
export async function requestApproval(
  pool: Pool,
  submissionId: string,
  payload: SubmissionPayload,
  changes: FieldChange[],
  requestedBy: string,
): Promise<PendingApproval | undefined> {
  const { rows } = await pool.query(
    `INSERT INTO resubmission_approvals (submission_id, payload, changes, requested_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (submission_id) WHERE status = 'PENDING' DO NOTHING RETURNING *`,
    [submissionId, JSON.stringify(payload), JSON.stringify(changes), requestedBy],
  );
  return rows[0] ? toPending(rows[0]) : undefined;
}

export async function decideApproval(
  pool: Pool,
  approvalId: string,
  status: 'APPROVED' | 'REFUSED',
  decidedBy: string,
  note?: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE resubmission_approvals SET status = $2, decided_by = $3, decided_at = now(), note = $4 WHERE approval_id = $1 AND status = 'PENDING'`,
    [approvalId, status, decidedBy, note ?? null],
  );
  return (rowCount ?? 0) > 0;
}
