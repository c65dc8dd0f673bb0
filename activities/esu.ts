import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import {
  EligibilityResult,
  EsuReceipt,
  type EligibilityRequest,
  type EsuOperationRequest,
} from '../domain/wire/esu.js';
import { currentAttempt, type CounterpartClient } from './http.js';

/**
 * ESU connector: the bettor register check and the real-time recording of every operation
 * (seed 000 items 13, 15; seed 001 §4.3). Recording is synchronous: ESU's receipt is the proof.
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
        const existing = await esu.get(`/v1/operations/${encodeURIComponent(request.operationId)}`, EsuReceipt);
        if (existing) return existing;
      }
      return esu.post('/v1/operations', request, request.operationId, EsuReceipt, ErrorType.EsuRejected);
    },
  };
}

export type EsuActivities = ReturnType<typeof createEsuActivities>;

export function isEsuRejection(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === ErrorType.EsuRejected;
}
