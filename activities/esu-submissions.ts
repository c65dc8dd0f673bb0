import { ErrorType } from '../domain/errors.js';
import type { SubmissionReceipt } from '../domain/submission.js';
import { EsuReceipt, EsuRecordedOperation, type EsuOperationRequest } from '../domain/wire/esu.js';
import { ourReceipt } from './esu.js';
import { mapSubmissionRefusal } from './afm.js';
import { currentAttempt, type CounterpartClient } from './http.js';

/**
 * The corrected record of an operation ESU refused after money had moved (a settlement or payout cannot be
 * undone), sent under the resubmission's id as idempotency key. ESU answers synchronously: its receipt is the
 * final verdict. A retry asks ESU first whether the operation is recorded (never a blind resend).
 */
export interface SendEsuSubmission {
  submissionId: string;
  record: EsuOperationRequest;
  checkFirst: boolean;
}

/** ESU's receipt as the submission's final verdict: ESU answers synchronously, so there is nothing left to wait for. */
function esuVerdict(receipt: EsuReceipt, sentAt: string): SubmissionReceipt {
  return {
    messageId: receipt.receiptId,
    acceptedAt: receipt.recordedAt,
    sentAt,
    receivedAt: new Date().toISOString(),
    final: true,
  };
}

export function createEsuSubmissionActivities({ esu }: { esu: CounterpartClient }) {
  return {
    async sendEsuSubmission(request: SendEsuSubmission): Promise<SubmissionReceipt> {
      const sentAt = new Date().toISOString();
      if (request.checkFirst || currentAttempt() > 1) {
        const found = await esu.get(
          `/v1/operations/${encodeURIComponent(request.record.operationId)}`,
          EsuRecordedOperation,
        );
        if (found) {
          return { ...esuVerdict(ourReceipt(found, request.record), sentAt), foundExisting: true };
        }
      }
      try {
        const receipt = await esu.post(
          '/v1/operations',
          request.record,
          request.submissionId,
          EsuReceipt,
          ErrorType.SubmissionRejected,
        );
        return esuVerdict(receipt, sentAt);
      } catch (err) {
        throw mapSubmissionRefusal(err, 'ESU');
      }
    },
  };
}

export type EsuSubmissionActivities = ReturnType<typeof createEsuSubmissionActivities>;
