import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { underageRefusal } from '../domain/bettor-age.js';
import { IdempotencyConflictError, InvalidRequestError, toOperationFailure } from './errors.js';

/** A started (or joined) operation. */
export interface OperationHandle<State> {
  workflowId: string;
  /** True when the id was already in use with the same request, and this call joined that run. */
  joined: boolean;
  /** Waits for the end: resolves with the final state, or rejects with OperationFailedError. */
  result(): Promise<State>;
  /** The current state, from the workflow's `getStatus` query. */
  status(): Promise<State>;
}

/** Validates before anything starts: a bad request is an InvalidRequestError naming the field. */
export function validateRequest<S extends z.ZodType>(operation: string, schema: S, request: unknown): z.infer<S> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw InvalidRequestError.fromZod(operation, parsed.error);
  return parsed.data;
}

/**
 * esu-bridge's own age check, before anything starts: a bettor under 21 (by the IIN's date of birth, today in
 * Kazakhstan) is an InvalidRequestError on `iin` with type BettorUnderage. The sagas check again at workflow
 * time, and ESU's register stays the authority.
 */
export function refuseUnderage(operation: string, iin: string, now: Date): void {
  const refusal = underageRefusal(iin, now);
  if (refusal)
    throw new InvalidRequestError(operation, [{ field: 'iin', message: refusal.message, type: refusal.type }]);
}

export function wrapOperation<State>(
  handle: WorkflowHandle,
  joined: boolean,
  statusQuery: QueryDefinition<State>,
): OperationHandle<State> {
  return {
    workflowId: handle.workflowId,
    joined,
    async result() {
      try {
        return (await handle.result()) as State;
      } catch (err) {
        throw toOperationFailure<State>(handle.workflowId, err) ?? err;
      }
    },
    status: () => handle.query(statusQuery),
  };
}

/**
 * Joins the existing run when the request fingerprint stored in its memo matches ours; otherwise it is a
 * conflict (`onMismatch` may decide otherwise from the memo, e.g. a settlement with the same result).
 */
export async function joinOperation<State>(
  client: Client,
  workflowId: string,
  digest: string,
  statusQuery: QueryDefinition<State>,
  onMismatch: (memo: Record<string, unknown> | undefined) => 'JOIN' | Error = () =>
    new IdempotencyConflictError(workflowId),
): Promise<OperationHandle<State>> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  if (description.memo?.requestDigest !== digest) {
    const decision = onMismatch(description.memo);
    if (decision !== 'JOIN') throw decision;
  }
  return wrapOperation(handle, true, statusQuery);
}
