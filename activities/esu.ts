import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import {
  EligibilityResult,
  EsuReceipt,
  EsuRecordedOperation,
  type EligibilityRequest,
  type EsuOperationRequest,
} from '../domain/wire/esu.js';
import { currentAttempt, differingField, type CounterpartClient } from './http.js';

/**
 * ESU connector: the bettor register check and the real-time recording of every operation
 * (the ESU integration plan, items 13, 15; AFM order No. 9, item 4(3)). Recording is synchronous: ESU's receipt is the proof.
 */
export function createEsuActivities({ esu }: { esu: CounterpartClient }) {
  return {
    /** Asks ESU's register whether this bettor may deposit, bet or be paid. A refusal is a result, not a failure. */
    async checkBettorEligibility(request: EligibilityRequest): Promise<EligibilityResult> {
      return esu.post('/v1/eligibility-checks', request, undefined, EligibilityResult, ErrorType.EsuRejected);
    },

    /**
     * Records the operation and returns ESU's receipt. A retry first asks ESU whether the previous attempt
     * landed (its outcome may be unknown after a timeout) and only sends again if it did not.
     */
    async recordOperation(request: EsuOperationRequest): Promise<EsuReceipt> {
      if (currentAttempt() > 1) {
        const existing = await esu.get(
          `/v1/operations/${encodeURIComponent(request.operationId)}`,
          EsuRecordedOperation,
        );
        if (existing) return ourReceipt(existing, request);
      }
      return esu.post('/v1/operations', request, request.operationId, EsuReceipt, ErrorType.EsuRejected);
    },
  };
}

/**
 * The receipt of an operation ESU recorded under our id, once it is shown to be ours: the same kind, amount
 * and bettor. Anything else is another operation's record, and taking its receipt would report ours as done.
 */
export function ourReceipt(found: EsuRecordedOperation, request: EsuOperationRequest): EsuReceipt {
  const field = differingField(found, request, ['kind', 'amountTiyn', 'iin']);
  if (field) {
    throw ApplicationFailure.create({
      message: `ESU holds operation ${request.operationId} for another operation (its ${field} differs): this one is not recorded`,
      type: ErrorType.IdempotencyConflict,
      nonRetryable: true,
      details: [{ operationId: request.operationId, field }],
    });
  }
  return { receiptId: found.receiptId, operationId: found.operationId, recordedAt: found.recordedAt };
}

export type EsuActivities = ReturnType<typeof createEsuActivities>;
