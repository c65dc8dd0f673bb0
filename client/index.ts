import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { DepositRequest, type DepositInput, type DepositState } from '../domain/deposit.js';
import { depositWorkflowId } from '../domain/ids.js';
import { AmountTiynKey, BettorRefKey, OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import { deposit, getDepositStatusQuery } from '../workflows/deposit.js';
import { bettorRef, requestDigest } from './bettor-ref.js';
import { IdempotencyConflictError, InvalidRequestError, toOperationFailure } from './errors.js';

export * from './errors.js';
export { bettorRef } from './bettor-ref.js';

export interface EsuBridgeClientOptions {
  client: Client;
  taskQueue: string;
  /** Secret key of the bettor reference HMAC (BETTOR_REF_KEY). */
  bettorRefKey: string;
}

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

/**
 * What bookmaker services import to start operations. Every start validates first (a bad request is an
 * InvalidRequestError naming the field, and nothing starts), is idempotent by the caller's id, and
 * tells a replay (same id, same body: joins the run) from a conflict (same id, other body).
 */
export function createEsuBridgeClient({ client, taskQueue, bettorRefKey }: EsuBridgeClientOptions) {
  function validate<S extends z.ZodType>(operation: string, schema: S, request: unknown): z.infer<S> {
    const parsed = schema.safeParse(request);
    if (!parsed.success) throw InvalidRequestError.fromZod(operation, parsed.error);
    return parsed.data;
  }

  function wrap<State>(handle: WorkflowHandle, joined: boolean): OperationHandle<State> {
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
      status: () => handle.query(getDepositStatusQuery) as Promise<State>,
    };
  }

  /** Joins the existing run when the stored request fingerprint matches ours, else it is a conflict. */
  async function join<State>(workflowId: string, digest: string): Promise<OperationHandle<State>> {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    if (description.memo?.requestDigest !== digest) throw new IdempotencyConflictError(workflowId);
    return wrap<State>(handle, true);
  }

  return {
    /** Starts a deposit (or joins the one already started with this `depositId`). */
    async startDeposit(request: unknown): Promise<OperationHandle<DepositState>> {
      const valid = validate('deposit', DepositRequest, request);
      const workflowId = depositWorkflowId(valid.depositId);
      const ref = bettorRef(valid.iin, bettorRefKey);
      const digest = requestDigest(valid, bettorRefKey);
      const input: DepositInput = { ...valid, bettorRef: ref };
      try {
        const handle = await client.workflow.start(deposit, {
          taskQueue,
          workflowId,
          args: [input],
          // Money: an id is used once, ever (STYLE item 27). A second start joins or conflicts.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OperationKindKey, value: 'DEPOSIT' },
            { key: OperationStatusKey, value: 'RECEIVED' },
            { key: BettorRefKey, value: ref },
            { key: AmountTiynKey, value: valid.amountTiyn },
          ],
          memo: { requestDigest: digest },
        });
        return wrap<DepositState>(handle, false);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return join<DepositState>(workflowId, digest);
        throw err;
      }
    },

    /** Starts a deposit and waits for its end. */
    async deposit(request: unknown): Promise<DepositState> {
      return (await this.startDeposit(request)).result();
    },

    /** The current state of a deposit by its id. */
    async getDeposit(depositId: string): Promise<DepositState> {
      return client.workflow.getHandle(depositWorkflowId(depositId)).query(getDepositStatusQuery);
    },

    /** The bettor reference ops use to filter runs in the Temporal UI (`BettorRef = "<ref>"`). */
    bettorRef: (iin: string) => bettorRef(iin, bettorRefKey),
  };
}

export type EsuBridgeClient = ReturnType<typeof createEsuBridgeClient>;
