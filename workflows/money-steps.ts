import { ApplicationFailure, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JournalActivities, StepRecord } from '../activities/journal.js';
import type { BettorGateActivities } from '../activities/bettor-gate.js';
import type { OperationRegistryActivities } from '../activities/operation-registry.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { OperationKind } from '../domain/ids.js';
import { OperationStatusKey } from '../domain/search-attributes.js';
import { failureType } from './saga.js';

// Shared by the bet, settlement and payout sagas: journaling a step, and reading a failure's reason.

const journal = proxyLocalActivities<JournalActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

// A read of the bookmaker's own PostgreSQL: short, local, retried until it answers.
const gate = proxyLocalActivities<BettorGateActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

// The operation registry is the bookmaker's own PostgreSQL: short, local; a refusal is final.
const registry = proxyLocalActivities<OperationRegistryActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});

export interface OperationRegistration<State> {
  kind: OperationKind;
  operationId: string;
  /** What makes the operation this one (the bookmaker's request, without what the client derived). */
  request: Record<string, unknown>;
  bettorRef?: string;
  reopenFailed?: boolean;
  /** The saga's live state: a refusal or a recorded outcome is written into it for the status query. */
  state: State & { status: string; failure?: { type: string; message: string } };
  refusedStatus: string;
}

/**
 * Runs a money saga as one registered operation (activities/operation-registry.ts): it registers its id before
 * any counterpart is called, and records how it ended. An id already used by another kind of operation or with
 * another request is an IdempotencyConflict and nothing moves; an id whose operation has finished (a reuse
 * after Temporal's retention, or a reset run) answers that outcome again, and nothing moves either.
 * `answerFinished` may refuse a recorded outcome that does not answer this request (a settlement's result).
 */
export async function asRegisteredOperation<State extends object>(
  registration: OperationRegistration<State>,
  saga: () => Promise<State>,
  answerFinished: (recorded: State) => { type: string; message: string } | undefined = () => undefined,
): Promise<State> {
  const { kind, operationId, request, bettorRef, reopenFailed, state, refusedStatus } = registration;
  const { workflowId, runId } = workflowInfo();
  const refuse = (failure: { type: string; message: string }): never => {
    state.status = refusedStatus;
    state.failure = failure;
    throw ApplicationFailure.create({ ...failure, nonRetryable: true, details: [state] });
  };
  let registered: Awaited<ReturnType<OperationRegistryActivities['registerOperation']>>;
  try {
    registered = await registry.registerOperation({ operationId, kind, workflowId, runId, request, ...(bettorRef ? { bettorRef } : {}), ...(reopenFailed ? { reopenFailed } : {}) });
  } catch (err) {
    // Not journalled into the operations list: the id's row there belongs to the operation that owns the id.
    const { type, message } = describeFailure(err);
    return refuse({ type, message });
  }
  if (registered.outcome === 'FINISHED') {
    const recorded = registered.state as State;
    const refusal = answerFinished(recorded);
    if (refusal) return refuse(refusal);
    Object.assign(state, recorded);
    if (registered.finished === 'COMPLETED') return state;
    const failure = registered.failure ?? { type: 'Unknown', message: `${operationId} failed` };
    throw ApplicationFailure.create({ ...failure, nonRetryable: true, details: [state] });
  }
  let result: State;
  try {
    result = await saga();
  } catch (err) {
    // Only a saga's own end is an outcome; anything else fails the workflow task and is retried.
    if (!(err instanceof ApplicationFailure)) throw err;
    const failure = { type: err.type ?? 'Unknown', message: err.message };
    await registry.finishOperation({ operationId, kind, outcome: 'FAILED', state: (err.details?.[0] ?? state) as Record<string, unknown>, failure });
    throw err;
  }
  await registry.finishOperation({ operationId, kind, outcome: 'COMPLETED', state: result as Record<string, unknown> });
  return result;
}

/**
 * The identification gate (seed 000 items 6–7): money moves and stakes are taken only for a bettor whose
 * identification ended IDENTIFIED. Answers the refusal to raise, or undefined when the bettor may go on.
 */
export async function identificationRefusal(bettorRef: string): Promise<{ type: string; message: string } | undefined> {
  const answer = await gate.checkBettorIdentified({ bettorRef });
  if (answer.allowed) return undefined;
  if (answer.status === 'CONSENT_REVOKED') {
    return { type: ErrorType.BettorNotIdentified, message: 'the bettor revoked consent to the processing of personal data: identify them again, with a new consent, first' };
  }
  const why = answer.status === 'UNKNOWN' ? 'has not been identified' : `identification is ${answer.status}${answer.blockedUntil ? ` until ${answer.blockedUntil}` : ''}`;
  return { type: ErrorType.BettorNotIdentified, message: `the bettor ${why}: identify them through Nomapay first` };
}

export type StepExtra = Partial<Pick<StepRecord, 'result' | 'failure' | 'esuReceiptId' | 'details'>>;

/**
 * Moves the saga to `status` (its state, the OperationStatus search attribute) and journals the step in the
 * operations list and the event journal (seed 003 §55.11), as the deposit saga does. `subject` is read on each
 * call: a settlement learns its bettor and amount only once it has loaded the bet.
 */
export function stepJournal<Status extends string>(
  state: { status: Status },
  kind: string,
  subject: () => { operationId: string; bettorRef: string; amountTiyn: number },
) {
  const { workflowId } = workflowInfo();
  return async (status: Status, event: string, extra: StepExtra = {}): Promise<void> => {
    const startedAtMs = Date.now(); // workflow time: deterministic on replay
    state.status = status;
    upsertSearchAttributes([{ key: OperationStatusKey, value: status }]);
    await journal.recordStep({ ...subject(), kind, workflowId, status, event, result: 'OK', startedAtMs, ...extra });
  };
}

export function rootMessage(err: unknown): string {
  let current = err as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(err);
}

/**
 * The typed failure of an activity error, with the counterpart's refusal code when it gave one (details of
 * activities/http.ts). A step that ran out of time is CounterpartUnavailable whatever its last attempt threw:
 * the connector's transient faults are plain Errors, whose type would otherwise read "Error".
 */
export function describeFailure(err: unknown): { type: string; code?: string; message: string } {
  let current: unknown = err;
  while (current instanceof Error && !(current instanceof ApplicationFailure)) current = current.cause;
  const code = current instanceof ApplicationFailure ? (current.details?.[0] as { code?: string } | undefined)?.code : undefined;
  return { type: failureType(err) ?? 'Unknown', ...(code ? { code } : {}), message: rootMessage(err) };
}
