import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import type { AfmMoneyFlowRecord, SubmissionReceipt } from '../domain/submission.js';
import {
  AFM_SUBMISSIONS_PATH,
  AfmReceipt,
  afmReceiptPath,
  AfmMessagesPage,
  afmMessagesPath,
  AfmSubmissionStatus,
  afmStatusPath,
  type AfmSubmissionMessage,
  type UnsignedAfmSubmission,
} from '../domain/wire/afm.js';
import { currentAttempt, type CounterpartClient } from './http.js';
import { signDocument, SignatureRefusal, type DocumentSigner } from '../crypto/signer.js';

/**
 * AFM connector (AFM order No. 9, annex 2, over the asynchronous channel of the e-government integration rules §47):
 * signs and sends one money-flow record with the submission id as idempotency key, and reads AFM's later verdict.
 * The signature proves authorship (the e-government integration rules §§54, 59): the bookmaker's X.509 key from
 * its PKCS#12 (crypto/signer.ts: RSA-SHA256 over the RFC 8785 form, certificate attached in `signature`).
 */
export function signAfmSubmission(
  message: UnsignedAfmSubmission,
  signer: DocumentSigner,
): Promise<AfmSubmissionMessage> {
  return signDocument(message, signer);
}

/** The refusals that mean AFM cannot confirm our authorship: our configuration (key, certificate), not the record. */
export const AUTHORSHIP_REFUSALS: readonly string[] = Object.values(SignatureRefusal);

export interface SendAfmSubmission {
  submissionId: string;
  /** The workflow's queue time: the same signed body on every attempt, so AFM's idempotency replays it. */
  sentAt: string;
  record: AfmMoneyFlowRecord;
  /** An earlier round may have landed (its answer lost): ask AFM before sending again. */
  checkFirst: boolean;
}

interface Refusal {
  code?: string;
  message?: string;
  details?: { field?: string; code: string; message: string }[];
}

/**
 * A synchronous field refusal (400) is a rejection compliance corrects (SubmissionRejected, with the fields);
 * a signature AFM cannot verify is our configuration, like a wrong API key (CounterpartAuthFailed).
 */
export function mapSubmissionRefusal(err: unknown, counterpart: string): unknown {
  if (!(err instanceof ApplicationFailure)) return err;
  const refusal = err.details?.[0] as Refusal | undefined;
  if (refusal?.code && AUTHORSHIP_REFUSALS.includes(refusal.code)) {
    return ApplicationFailure.create({
      message: err.message,
      type: ErrorType.CounterpartAuthFailed,
      nonRetryable: true,
      details: [refusal],
    });
  }
  if ((err.type === ErrorType.InvalidInput && refusal?.code) || err.type === ErrorType.SubmissionRejected) {
    const code = refusal?.code ?? 'REJECTED';
    const reason = refusal?.message ?? err.message;
    return ApplicationFailure.create({
      message: `${counterpart} refused the record: ${code} ${reason}`,
      type: ErrorType.SubmissionRejected,
      nonRetryable: true,
      details: [{ code, reason, fields: refusal?.details ?? [] }],
    });
  }
  return err;
}

export function createAfmActivities({
  afm,
  signer,
  sender,
}: {
  afm: CounterpartClient;
  signer: DocumentSigner;
  sender: string;
}) {
  return {
    /** Returns AFM's receipt: its messageId is the proof of acceptance (the e-government integration rules §47), with our own send and receive times. */
    async sendAfmSubmission(request: SendAfmSubmission): Promise<SubmissionReceipt> {
      const sentAt = new Date().toISOString();
      if (request.checkFirst || currentAttempt() > 1) {
        const existing = await afm.get(afmReceiptPath(request.submissionId), AfmReceipt);
        if (existing)
          return { ...existing, sentAt, receivedAt: new Date().toISOString(), final: false, foundExisting: true };
      }
      const message = await signAfmSubmission(
        { submissionId: request.submissionId, sender, sentAt: request.sentAt, record: request.record },
        signer,
      );
      try {
        const ack = await afm.post(
          AFM_SUBMISSIONS_PATH,
          message,
          request.submissionId,
          AfmReceipt,
          ErrorType.SubmissionRejected,
        );
        return { ...ack, sentAt, receivedAt: new Date().toISOString(), final: false };
      } catch (err) {
        throw mapSubmissionRefusal(err, 'AFM');
      }
    },

    /** AFM's verdict on an acknowledged message: still being processed, or rejected with its reason. */
    async getAfmVerdict({ messageId }: { messageId: string }): Promise<AfmSubmissionStatus> {
      const status = await afm.get(afmStatusPath(messageId), AfmSubmissionStatus);
      // AFM acknowledged this id: not finding it is AFM lagging behind its own receipt, so retry.
      if (!status) throw new Error(`AFM does not know message ${messageId} yet`);
      return status;
    },

    /** One page of AFM's verdict messages after `after` (the e-government integration rules §47): one request for every open submission. */
    async readAfmMessages({ after, limit }: { after?: string; limit: number }): Promise<AfmMessagesPage> {
      const page = await afm.get(afmMessagesPath(after, limit), AfmMessagesPage);
      if (!page) throw new Error('AFM has no messages feed at GET /v1/messages (404)');
      return page;
    },
  };
}

export type AfmActivities = ReturnType<typeof createAfmActivities>;
