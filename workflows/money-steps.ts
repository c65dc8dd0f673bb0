import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { StepRecord } from '../activities/journal.js';
import type { OperationRegistryActivities } from '../activities/operation-registry.js';
import { ErrorType } from '../domain/errors.js';
import type { OperationKind } from '../domain/ids.js';
import { OperationStatusKey } from '../domain/search-attributes.js';
import { describeFailure, refuse as refuseWith, type Failure } from './failures.js';
import { gate, journal, registry } from './policies.js';

// Shared by the money sagas: registering the operation, the identification gate, journaling a step.

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
  /** The saga's queued steps (lean shape): the first go with the registration, the last with its outcome. */
  steps?: StepQueue<string>;
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
  const { kind, operationId, request, bettorRef, reopenFailed, state, refusedStatus, steps } = registration;
  const { workflowId, runId } = workflowInfo();
  const refuse = (failure: Failure): never => {
    state.status = refusedStatus;
    state.failure = failure;
    return refuseWith(failure, state);
  };
  const registering = {
    operationId,
    kind,
    workflowId,
    runId,
    request,
    ...(bettorRef ? { bettorRef } : {}),
    ...(reopenFailed ? { reopenFailed } : {}),
  };
  let registered: Awaited<ReturnType<OperationRegistryActivities['registerOperation']>>;
  try {
    registered = steps
      ? await steps.carry((queued) => registry.registerOperation({ ...registering, steps: queued }))
      : await registry.registerOperation(registering);
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
    await registry.finishOperation({
      operationId,
      kind,
      outcome: 'FAILED',
      state: (err.details?.[0] ?? state) as Record<string, unknown>,
      failure,
      ...lastSteps(steps),
    });
    throw err;
  }
  await registry.finishOperation({
    operationId,
    kind,
    outcome: 'COMPLETED',
    state: result as Record<string, unknown>,
    ...lastSteps(steps),
  });
  return result;
}

const lastSteps = (steps?: StepQueue<string>) => (steps ? { steps: steps.take() } : {});

/**
 * The identification gate (the ESU integration plan, items 6–7): money moves and stakes are taken only for a bettor whose
 * identification ended IDENTIFIED. Answers the refusal to raise, or undefined when the bettor may go on.
 */
export async function identificationRefusal(
  bettorRef: string,
  stepsIfAllowed?: StepRecord[],
): Promise<Failure | undefined> {
  const answer = await gate.checkBettorIdentified({ bettorRef, ...(stepsIfAllowed ? { stepsIfAllowed } : {}) });
  if (answer.allowed) return undefined;
  if (answer.status === 'CONSENT_REVOKED') {
    return {
      type: ErrorType.BettorNotIdentified,
      message:
        'the bettor revoked consent to the processing of personal data: identify them again, with a new consent, first',
    };
  }
  const why =
    answer.status === 'UNKNOWN'
      ? 'has not been identified'
      : `identification is ${answer.status}${answer.blockedUntil ? ` until ${answer.blockedUntil}` : ''}`;
  return { type: ErrorType.BettorNotIdentified, message: `the bettor ${why}: identify them through Nomapay first` };
}

export type StepExtra = Partial<Pick<StepRecord, 'result' | 'failure' | 'esuReceiptId' | 'details'>>;

/**
 * Moves the saga to `status` (its state, the OperationStatus search attribute) and journals the step in the
 * operations list and the event journal (National Bank resolution No. 116 §55.11), as the deposit saga does. `subject` is read on each
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

/** Which statuses a saga shows as its OperationStatus search attribute (lean shape): those ops filter on. */
export type VisibleStatuses = ReadonlySet<string>;

/**
 * The lean shape of stepJournal: a step moves the saga's state at once, and its journal row (operations list
 * and event journal, the National Bank resolution No. 116 §55.11 attributes) is written by the next local
 * activity the saga runs anyway, in that activity's transaction: the registration, the identification gate, a
 * ledger posting, the outcome. `OperationStatus` is upserted only for the statuses ops filter on, not per step.
 * Queued steps survive a worker crash: they are workflow state, rebuilt by replay, and journalled idempotently.
 */
export class StepQueue<Status extends string> {
  private queued: StepRecord[] = [];
  private readonly workflowId = workflowInfo().workflowId;

  constructor(
    private readonly state: { status: Status },
    private readonly kind: string,
    private readonly subject: () => { operationId: string; bettorRef: string; amountTiyn: number },
    private readonly visible: VisibleStatuses,
  ) {}

  /** The journal row of a step, dated now (workflow time: deterministic on replay). */
  record(status: Status, event: string, extra: StepExtra = {}): StepRecord {
    return {
      ...this.subject(),
      kind: this.kind,
      workflowId: this.workflowId,
      status,
      event,
      result: 'OK',
      startedAtMs: Date.now(),
      ...extra,
    };
  }

  /** Moves the saga to `status` and queues its journal row. */
  advance(status: Status, event: string, extra: StepExtra = {}): void {
    this.queued.push(this.record(status, event, extra));
    this.show(status);
  }

  /** The queued rows, and `then` (the step the activity's success is), for an activity to journal. */
  pending(then?: StepRecord): StepRecord[] {
    return then ? [...this.queued, then] : [...this.queued];
  }

  /** The activity that carried `pending(then)` succeeded: those rows are written, the saga is at `then`. */
  written(then?: StepRecord): void {
    this.queued = [];
    if (then) this.show(then.status as Status);
  }

  /** Runs a local activity that journals the queued rows (and `then`) in its transaction. */
  async carry<T>(run: (steps: StepRecord[]) => Promise<T>, then?: StepRecord): Promise<T> {
    const result = await run(this.pending(then));
    this.written(then);
    return result;
  }

  /** Hands the queued rows to the saga's last activity (the registry's outcome). */
  take(): StepRecord[] {
    const steps = this.queued;
    this.queued = [];
    return steps;
  }

  /** Journals the queued rows now: before a step that may wait long (compensations), so ops see where it is. */
  async flush(): Promise<void> {
    if (this.queued.length) await journal.recordSteps({ steps: this.take() });
  }

  private show(status: Status): void {
    this.state.status = status;
    if (this.visible.has(status)) upsertSearchAttributes([{ key: OperationStatusKey, value: status }]);
  }
}

export { describeFailure };
