import { z } from 'zod';
import { AfmMoneyFlowRecord, SubmissionKey } from '../submission.js';
import { IsoDateTime, signedDocument, type Unsigned } from './common.js';
import { plainTextOf, safeText } from '../text.js';

/**
 * AFM (ҚМА АЖ) submission contract as esu-bridge speaks it. AFM order No. 9 fixes the five fields (annex 2) and
 * nothing of the transport (digest §4), so this follows the e-government rules of the e-government integration rules: an asynchronous
 * channel whose `messageId` is the proof of acceptance (§47), a signed message (§§54, 59), errors as a code with
 * sub-errors naming the field (annex 1). The simulator enforces exactly this; a real connector maps it.
 *
 * POST /v1/submissions (Idempotency-Key = submissionId)  → 202 AfmReceipt
 *   400 INVALID_REQUEST with field details · 401 wrong API key · 422 SIGNATURE_INVALID
 * GET  /v1/submissions/{messageId}                      → AfmSubmissionStatus (the later verdict)
 * GET  /v1/submission-receipts/{submissionId}           → AfmReceipt | 404
 *   (did an earlier attempt land? asked before any resend, never a blind resend)
 */
export const AFM_SUBMISSIONS_PATH = '/v1/submissions';
/** AFM's signature validation: a signed submission checked as `POST /v1/submissions` would, recorded nowhere. */
export const AFM_SIGNATURE_CHECKS_PATH = '/v1/signature-checks';
export const afmStatusPath = (messageId: string) => `/v1/submissions/${encodeURIComponent(messageId)}`;
export const afmReceiptPath = (submissionId: string) => `/v1/submission-receipts/${encodeURIComponent(submissionId)}`;

/** What we send: strict. AFM's answers below are parsed leniently, its free text made safe to keep. */
export const AfmSubmissionMessage = signedDocument({
  /** Our id of the submission; also the idempotency key. */
  submissionId: SubmissionKey,
  /** How the bookmaker is known to AFM (its BIN or registered system name). */
  sender: z.string().min(1).max(64).check(safeText()),
  /** When we first queued it (workflow time): part of the signed body, identical on every retry. */
  sentAt: IsoDateTime,
  record: AfmMoneyFlowRecord,
});
export type AfmSubmissionMessage = z.infer<typeof AfmSubmissionMessage>;
export type UnsignedAfmSubmission = Unsigned<AfmSubmissionMessage>;

export const AfmReceipt = z.object({ messageId: z.string().min(1), acceptedAt: IsoDateTime });
export type AfmReceipt = z.infer<typeof AfmReceipt>;

export const AfmRejection = z.object({
  code: z
    .string()
    .min(1)
    .transform((s) => plainTextOf(s, {})),
  reason: z
    .string()
    .min(1)
    .transform((s) => plainTextOf(s)),
  rejectedAt: IsoDateTime,
});
export type AfmRejection = z.infer<typeof AfmRejection>;

export const AfmSubmissionStatus = z.object({
  messageId: z.string().min(1),
  status: z.enum(['ACCEPTED_FOR_PROCESSING', 'REJECTED']),
  rejection: AfmRejection.optional(),
});
export type AfmSubmissionStatus = z.infer<typeof AfmSubmissionStatus>;

/**
 * The asynchronous channel's results (the e-government integration rules §47): AFM publishes a verdict message for each submission it
 * cannot accept, in order. The bookmaker either fetches them (GET /v1/messages?after=<cursor>&limit=<n>, one
 * request per interval for every open submission at once) or AFM pushes each one to the bookmaker's endpoint,
 * signed with AFM's key. Acknowledged submissions without a message are accepted when their window closes.
 */
export const AFM_MESSAGES_PATH = '/v1/messages';
export const afmMessagesPath = (after: string | undefined, limit: number) =>
  `${AFM_MESSAGES_PATH}?${new URLSearchParams({ ...(after ? { after } : {}), limit: String(limit) })}`;

/** A cursor is AFM's own: opaque to us, kept as given and sent back. */
export const AfmCursor = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"');

export const AfmVerdictMessage = z.object({
  /** The verdict message's own id: a push is refused when this id was already received. */
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"'),
  type: z.literal('SUBMISSION_REJECTED'),
  /** The receipt's messageId of the submission the verdict is about, and our submission id. */
  messageId: z.string().min(1).max(128),
  submissionId: SubmissionKey,
  rejection: AfmRejection,
  publishedAt: IsoDateTime,
});
export type AfmVerdictMessage = z.infer<typeof AfmVerdictMessage>;

export const AfmMessagesPage = z.object({
  messages: z.array(AfmVerdictMessage),
  /** Where the next read starts: the last message's position, or the same cursor when nothing new came. */
  nextCursor: AfmCursor.optional(),
  hasMore: z.boolean(),
});
export type AfmMessagesPage = z.infer<typeof AfmMessagesPage>;

/** What AFM pushes to the bookmaker's callback endpoint: one verdict message, when it was sent, AFM's signature. */
export const AfmCallback = signedDocument({ message: AfmVerdictMessage, sentAt: IsoDateTime });
export type AfmCallback = z.infer<typeof AfmCallback>;
export type UnsignedAfmCallback = Unsigned<AfmCallback>;
