import { z } from 'zod';
import { Iin } from './iin.js';
import { AmountTiyn } from './money.js';
import { BettorRef, BusinessKey, OperationKind, SubmissionKey, workflowId, WorkflowProcess } from './ids.js';

export { SubmissionKey };
import { safeText, Text } from './text.js';
import { IsoDateTime } from './wire/common.js';
import { EsuOperationRequest } from './wire/esu.js';
import type { WrittenNotice } from './submission-notice.js';

/**
 * A regulator submission: one message to one counterpart about one operation, as its own long-lived
 * workflow (`Submission:<submissionId>`) that outlives the saga that caused it.
 *
 * - AFM (AFM order No. 9, annex 2): every amount received from and paid to a bettor, with the bettor's IIN. The send
 *   is asynchronous: AFM acknowledges with a message id, and may still say why it could not accept the data
 *   within 1 working day (AFM order No. 9, item 5(3)); only when that window closes is the submission accepted.
 * - ESU: the real-time recording stays in each saga; when ESU refuses a record after money has moved
 *   (a settlement or payout cannot be undone), the record becomes an ESU submission that waits for
 *   compliance to correct and resubmit it, through the same machinery.
 */
export const SubmissionCounterpart = z.enum(['AFM', 'ESU']);
export type SubmissionCounterpart = z.infer<typeof SubmissionCounterpart>;

/**
 * AFM order No. 9, annex 2: the five items. One record is one money flow: either received by the bookmaker from the
 * bettor (items 2–3) or received by the bettor from the bookmaker (items 4–5), never both.
 */
export const AfmMoneyFlowRecord = z
  .strictObject({
    /** Item 1. */
    iin: Iin,
    /** Items 2–3: when and how much the bookmaker received from the bettor (a deposit). */
    receivedAt: IsoDateTime.optional(),
    receivedTiyn: AmountTiyn.optional(),
    /** Items 4–5: when and how much the bettor received from the bookmaker (a payout). */
    paidAt: IsoDateTime.optional(),
    paidTiyn: AmountTiyn.optional(),
  })
  .superRefine((record, ctx) => {
    const received = record.receivedAt !== undefined || record.receivedTiyn !== undefined;
    const paid = record.paidAt !== undefined || record.paidTiyn !== undefined;
    if (received === paid) {
      ctx.addIssue({
        code: 'custom',
        path: ['receivedTiyn'],
        message: 'a record carries either the amount received or the amount paid, exactly one of them',
      });
      return;
    }
    if (received && (record.receivedAt === undefined || record.receivedTiyn === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [record.receivedAt === undefined ? 'receivedAt' : 'receivedTiyn'],
        message: 'is required with the amount received',
      });
    }
    if (paid && (record.paidAt === undefined || record.paidTiyn === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [record.paidAt === undefined ? 'paidAt' : 'paidTiyn'],
        message: 'is required with the amount paid',
      });
    }
  });
export type AfmMoneyFlowRecord = z.infer<typeof AfmMoneyFlowRecord>;

/** What a submission carries, by counterpart. */
export const SubmissionPayload = z.discriminatedUnion('counterpart', [
  z.strictObject({ counterpart: z.literal('AFM'), record: AfmMoneyFlowRecord }),
  z.strictObject({ counterpart: z.literal('ESU'), record: EsuOperationRequest }),
]);
export type SubmissionPayload = z.infer<typeof SubmissionPayload>;

export const SubmissionInput = z.strictObject({
  /** Also the idempotency key at the counterpart: `afm-<operationId>`, `esu-<operationId>`, then `-r<attempt>`. */
  submissionId: SubmissionKey,
  /** The operation that caused it (deposit, settlement, payout id). */
  operationId: BusinessKey,
  operationKind: OperationKind,
  bettorRef: BettorRef,
  /** 1 for the first send; a corrected resubmission is attempt n + 1. */
  attempt: z.number().int().positive(),
  /** The first submission of this chain, and the one this attempt corrects. */
  originalSubmissionId: SubmissionKey.optional(),
  correctsSubmissionId: SubmissionKey.optional(),
  payload: SubmissionPayload,
  /**
   * Set when the counterpart already refused this record before the submission began (ESU refusing a
   * settlement or payout record inside the saga): the submission starts REJECTED, waiting for compliance.
   */
  initialRejection: z
    .strictObject({
      code: z.string().check(safeText()),
      reason: z.string().check(safeText({ multiline: true })),
      rejectedAt: IsoDateTime,
    })
    .optional(),
  /**
   * Set when the saga that caused it already sent it once and AFM did not acknowledge at once (an error, a time-out):
   * that round may have landed, so the workflow's first round asks AFM before sending again.
   */
  sentBefore: z
    .strictObject({
      at: IsoDateTime,
      error: z
        .string()
        .check(safeText({ multiline: true }))
        .max(2000),
    })
    .optional(),
  /** Who asked for it: `system` for sagas, the officer's login for a resubmission. */
  actor: z.string().check(safeText()).min(1).default('system'),
});
export type SubmissionInput = z.input<typeof SubmissionInput>;
export type ParsedSubmissionInput = z.output<typeof SubmissionInput>;

/** The submission's status: also the `SubmissionStatus` search attribute and the `submissions.status` column. */
export const SubmissionStatus = {
  Queued: 'QUEUED',
  Sending: 'SENDING',
  Retrying: 'RETRYING',
  WaitingMaintenance: 'WAITING_MAINTENANCE',
  /** Sent; AFM acknowledged receipt with a message id; its rejection window is open. */
  AwaitingVerdict: 'ACKNOWLEDGED',
  Accepted: 'ACCEPTED',
  Rejected: 'REJECTED',
  /** A corrected resubmission replaced this one (see `correctedBy`). */
  Corrected: 'CORRECTED',
  /** Sending gave up (a non-retryable refusal of the transport, or the counterpart unreachable past its deadline). */
  Failed: 'FAILED',
} as const;
export type SubmissionStatus = (typeof SubmissionStatus)[keyof typeof SubmissionStatus];

/** `afm-<operationId>` / `esu-<operationId>` for the first attempt; the id stays a BusinessKey. */
export function firstSubmissionId(counterpart: SubmissionCounterpart, operationId: string): string {
  return `${counterpart.toLowerCase()}-${operationId}`;
}

/** The id of attempt n of a chain: derived from the original and the attempt, so a resubmission never goes twice. */
export function resubmissionId(originalSubmissionId: string, attempt: number): string {
  return attempt <= 1 ? originalSubmissionId : `${originalSubmissionId}-r${attempt}`;
}

export const submissionWorkflowId = (submissionId: string) => workflowId(WorkflowProcess.Submission, submissionId);

/** Compliance's correction of a rejected submission: the whole corrected payload, and who sends it. */
export const ResubmitSubmission = z.strictObject({
  payload: SubmissionPayload,
  actor: Text(64).min(1, 'actor is required'),
});
export type ResubmitSubmission = z.input<typeof ResubmitSubmission>;

/** An officer's retry of a FAILED submission: the same record, under the same idempotency key. */
export const RetrySubmission = z.strictObject({ actor: Text(64).min(1, 'actor is required') });
export type RetrySubmission = z.input<typeof RetrySubmission>;

/**
 * The counterpart's proof of acceptance (the e-government integration rules §47: the messageId, or the synchronous receipt) with our own
 * send and receive times, since the transport signature carries no timestamp (the e-government integration rules §55).
 */
export interface SubmissionReceipt {
  messageId: string;
  acceptedAt: string;
  sentAt: string;
  receivedAt: string;
  /** ESU answers synchronously: its receipt is the final verdict, there is no rejection window. */
  final: boolean;
  /** True when a retry found that an earlier attempt had landed, and nothing was sent again. */
  foundExisting?: boolean;
}

export interface SubmissionRejectionInfo {
  code: string;
  reason: string;
  rejectedAt: string;
  /**
   * INITIAL: refused before the submission began; SYNCHRONOUS: refused on sending; VERDICT: AFM's later notice
   * through its status endpoint; NOTICE: AFM's written notice, recorded by an officer (AFM order No. 9, item 5(3)).
   */
  source: 'INITIAL' | 'SYNCHRONOUS' | 'VERDICT' | 'NOTICE';
  /** How a VERDICT was learnt: AFM's messages feed, its push to our endpoint, or the final status check. */
  channel?: 'FETCH' | 'PUSH' | 'STATUS';
  /** AFM's id of the verdict message, when it came as one. */
  verdictId?: string;
}

/**
 * AFM's verdict on one acknowledged submission, as the verdict reader (feed) or the API (push) signals it to the
 * submission's workflow (the e-government integration rules §47). Parsed again by the workflow: a signal is a boundary too.
 */
export const AfmVerdictSignal = z.strictObject({
  channel: z.enum(['FETCH', 'PUSH']),
  verdictId: z.string().min(1).max(128),
  /** The receipt's messageId the verdict is about. */
  messageId: z.string().min(1).max(128),
  code: z.string().min(1).max(200),
  reason: z.string().min(1).max(4000),
  rejectedAt: IsoDateTime,
});
export type AfmVerdictSignal = z.infer<typeof AfmVerdictSignal>;

/** The `getStatus` snapshot, and the workflow's result: serialisable, the same shape throughout. */
export interface SubmissionState {
  submissionId: string;
  counterpart: SubmissionCounterpart;
  operationId: string;
  operationKind: SubmissionInput['operationKind'];
  bettorRef: string;
  attempt: number;
  originalSubmissionId: string;
  correctsSubmissionId?: string;
  status: SubmissionStatus;
  /** The record as sent (it carries the IIN: Temporal payloads are encrypted by the codec). */
  payload: SubmissionPayload;
  /** Workflow time when the submission was queued; the signed `sentAt` of every attempt. */
  queuedAt: string;
  sentAt?: string;
  acknowledgedAt?: string;
  receipt?: SubmissionReceipt;
  windowEndsAt?: string;
  /** False when a window or due date reached past the years the calendar was written for. */
  calendarCovered?: boolean;
  acceptedAt?: string;
  rejection?: SubmissionRejectionInfo;
  /** The officer's 1-working-day due time to correct a rejection, the reminder before it, and when they fired. */
  officerDueAt?: string;
  reminderAt?: string;
  remindedAt?: string;
  escalatedAt?: string;
  correctedBy?: { submissionId: string; workflowId: string; actor: string; at: string };
  failedAt?: string;
  failure?: { type: string; message: string };
  /** While WAITING_MAINTENANCE: when the counterpart's maintenance window ends. */
  maintenanceUntil?: string;
  /** While RETRYING: what the last attempt met, when the next one goes, and since when the counterpart is down. */
  lastError?: { message: string; at: string };
  nextAttemptAt?: string;
  outageSince?: string;
  sendRounds: number;
  polls: number;
  lastPolledAt?: string;
  retries: { actor: string; at: string }[];
  /** AFM's written notices officers recorded (the scans stay in PostgreSQL, by their SHA-256). */
  writtenNotices?: WrittenNotice[];
  /** Journal revision: increases with every recorded step, across continue-as-new. */
  revision: number;
}

/** A new submission's state, QUEUED at `queuedAt` (the workflow's first step; the saga's first send starts from it too). */
export function queuedSubmissionState(input: ParsedSubmissionInput, queuedAt: string): SubmissionState {
  return {
    submissionId: input.submissionId,
    counterpart: input.payload.counterpart,
    operationId: input.operationId,
    operationKind: input.operationKind,
    bettorRef: input.bettorRef,
    attempt: input.attempt,
    originalSubmissionId: input.originalSubmissionId ?? input.submissionId,
    ...(input.correctsSubmissionId ? { correctsSubmissionId: input.correctsSubmissionId } : {}),
    status: SubmissionStatus.Queued,
    payload: input.payload,
    queuedAt,
    // The saga's round counts: the next one asks the counterpart first whether it landed.
    sendRounds: input.sentBefore ? 1 : 0,
    ...(input.sentBefore ? { lastError: { message: input.sentBefore.error, at: input.sentBefore.at } } : {}),
    polls: 0,
    retries: [],
    revision: 0,
  };
}

/**
 * AFM order No. 9, item 4(7): kept at least 5 years from 1 January of the year after the operation (for money not tied to
 * a bet, the year of the movement: digest REQ-AFM-19). The latest year the record names counts.
 */
export function submissionRetainUntil(state: Pick<SubmissionState, 'queuedAt' | 'payload'>): string {
  const record = state.payload.record as { receivedAt?: string; paidAt?: string; occurredAt?: string };
  const years = [state.queuedAt, record.receivedAt, record.paidAt, record.occurredAt]
    .filter((d): d is string => typeof d === 'string')
    .map((d) => new Date(Date.parse(d) + 5 * 3600_000).getUTCFullYear());
  return `${Math.max(...years) + 6}-01-01T00:00:00+05:00`;
}
