import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { QueryDefinition, Workflow } from '@temporalio/common';
import type { z } from 'zod';
import { underageRefusal } from '../domain/bettor-age.js';
import type { OperationKind } from '../domain/ids.js';
import { AmountTiynKey, BettorRefKey, OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import { bettorRef, requestDigest } from './bettor-ref.js';
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

/** Waits for the workflow's end: its final state, or its failure as OperationFailedError. */
export async function finalState<State>(handle: WorkflowHandle): Promise<State> {
  try {
    return (await handle.result()) as State;
  } catch (err) {
    throw toOperationFailure<State>(handle.workflowId, err) ?? err;
  }
}

export function wrapOperation<State>(
  handle: WorkflowHandle,
  joined: boolean,
  statusQuery: QueryDefinition<State>,
): OperationHandle<State> {
  return {
    workflowId: handle.workflowId,
    joined,
    result: () => finalState<State>(handle),
    status: () => handle.query(statusQuery),
  };
}

/**
 * Starts a workflow by its business id; when that id is in use already (WorkflowExecutionAlreadyStartedError) it
 * answers `existing()` instead: join the run, or refuse the conflict.
 */
export async function startOrJoin<W extends Workflow, H>(
  client: Client,
  workflow: W,
  options: WorkflowStartOptions<W>,
  started: (handle: WorkflowHandle<W>) => H,
  existing: () => H | Promise<H>,
): Promise<H> {
  try {
    return started(await client.workflow.start(workflow, options));
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return existing();
    throw err;
  }
}

/** Starts an operation whose memo keeps the request's fingerprint; a second start joins it or conflicts (joinOperation). */
export function startOperation<W extends Workflow, State>(
  client: Client,
  workflow: W,
  options: WorkflowStartOptions<W> & { memo: { requestDigest: string } },
  statusQuery: QueryDefinition<State>,
  onMismatch?: (memo: Record<string, unknown> | undefined) => 'JOIN' | Error,
): Promise<OperationHandle<State>> {
  return startOrJoin(
    client,
    workflow,
    options,
    (handle) => wrapOperation(handle, false, statusQuery),
    () => joinOperation(client, options.workflowId, options.memo.requestDigest, statusQuery, onMismatch),
  );
}

/**
 * Starts a deposit, bet or payout: the workflow's input is the request with the bettor's reference, and the id is
 * used once, ever (money: a second start joins the run or conflicts).
 */
export function startMoneyOperation<W extends Workflow, State>(
  { client, taskQueue, bettorRefKey }: { client: Client; taskQueue: string; bettorRefKey: string },
  workflow: W,
  operation: { kind: OperationKind; workflowId: string; request: { iin: string }; amountTiyn: number },
  statusQuery: QueryDefinition<State>,
): Promise<OperationHandle<State>> {
  const ref = bettorRef(operation.request.iin, bettorRefKey);
  return startOperation(
    client,
    workflow,
    {
      taskQueue,
      workflowId: operation.workflowId,
      args: [{ ...operation.request, bettorRef: ref }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: OperationKindKey, value: operation.kind },
        { key: OperationStatusKey, value: 'RECEIVED' },
        { key: BettorRefKey, value: ref },
        { key: AmountTiynKey, value: operation.amountTiyn },
      ],
      memo: { requestDigest: requestDigest(operation.request, bettorRefKey) },
    } as unknown as WorkflowStartOptions<W> & { memo: { requestDigest: string } },
    statusQuery,
  );
}

/** A money saga as the client offers it: what a start validates and how it names, labels and runs the operation. */
export interface MoneySaga<S extends z.ZodType<{ iin: string }>, State> {
  /** The operation's name in a refusal: deposit, bet, payout. */
  name: string;
  kind: OperationKind;
  request: S;
  /** The workflow id of the caller's id, and the request's fields that hold that id (depositId…) and the amount. */
  workflowId: (id: string) => string;
  idField: keyof z.output<S> & string;
  amountField: keyof z.output<S> & string;
  /** Refuses a bettor under 21 before anything starts (a deposit, a bet; a payout pays out what is theirs). */
  adultsOnly: boolean;
  workflow: Workflow;
  statusQuery: QueryDefinition<State>;
}

/**
 * A money saga's three calls: `start` validates (and checks the bettor's age), picks the workflow id and starts the
 * saga or joins it (startMoneyOperation); `run` starts and waits for the end; `get` reads the state by the caller's id.
 */
export function moneySaga<S extends z.ZodType<{ iin: string }>, State>(
  deps: { client: Client; taskQueue: string; bettorRefKey: string; now: () => Date },
  saga: MoneySaga<S, State>,
) {
  const start = async (request: unknown): Promise<OperationHandle<State>> => {
    const valid = validateRequest(saga.name, saga.request, request);
    if (saga.adultsOnly) refuseUnderage(saga.name, valid.iin, deps.now());
    const workflowId = saga.workflowId(valid[saga.idField] as string);
    const operation = { kind: saga.kind, workflowId, request: valid, amountTiyn: valid[saga.amountField] as number };
    return startMoneyOperation(deps, saga.workflow, operation, saga.statusQuery);
  };
  return {
    start,
    run: async (request: unknown): Promise<State> => (await start(request)).result(),
    get: (id: string): Promise<State> => deps.client.workflow.getHandle(saga.workflowId(id)).query(saga.statusQuery),
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
