import { ApplicationFailure } from '@temporalio/activity';
import { bettorRef, requestDigest } from '../crypto/bettor-ref.js';
import type { Pool } from '../db/pool.js';
import { ErrorType } from '../domain/errors.js';
import {
  finishOperationRow,
  KIND_WORD,
  registerOperationRow,
  type FinishedOperation,
  type RegisterOperation,
  type Registration,
} from '../store/operation-registry.js';
import type { OperationKind } from '../domain/ids.js';

export type { FinishedOperation, RegisterOperation, Registration } from '../store/operation-registry.js';

/** The registry's activities over store/operation-registry.ts: the request's reference and digest checked here. */
export function createOperationRegistryActivities({ pool, bettorRefKey }: { pool: Pool; bettorRefKey: string }) {
  return {
    async registerOperation(request: RegisterOperation): Promise<Registration> {
      const iin = request.request.iin;
      const ref = request.bettorRef ?? null;
      if (typeof iin === 'string') {
        // Nothing trusted from outside: the reference that keys the bettor's ledger account is ours to derive.
        if (bettorRef(iin, bettorRefKey) !== request.bettorRef) {
          throw ApplicationFailure.create({
            message: `${KIND_WORD[request.kind]} input: bettorRef: is not the reference of this iin`,
            type: ErrorType.InvalidInput,
            nonRetryable: true,
          });
        }
      }
      const digest = requestDigest({ kind: request.kind, ...request.request }, bettorRefKey);
      const conflict = await registerOperationRow(pool, request, digest, ref);
      if ('reason' in conflict) {
        throw ApplicationFailure.create({
          message: `${KIND_WORD[request.kind]} ${request.operationId} is refused, nothing moved: the id ${request.operationId} is already registered and ${conflict.reason}`,
          type: ErrorType.IdempotencyConflict,
          nonRetryable: true,
        });
      }
      return conflict.registration;
    },

    /** Records how the operation ended, so that a later reuse of its id answers it without moving anything. */
    finishOperation: (finished: FinishedOperation & { operationId: string; kind: OperationKind }): Promise<void> =>
      finishOperationRow(pool, finished),
  };
}

export type OperationRegistryActivities = ReturnType<typeof createOperationRegistryActivities>;
