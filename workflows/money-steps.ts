import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import type { StepRecord } from '../activities/journal.js';
import type { OperationRegistryActivities } from '../activities/operation-registry.js';
import { ErrorType } from '../domain/errors.js';
import type { OperationKind } from '../domain/ids.js';
import { describeFailure, refuse as refuseWith, type Failure } from './failures.js';
import { gate, ledger, localLedger, registry } from './policies.js';
import {
  StepJournal,
  StepQueue,
  type SagaShape,
  type SagaSteps,
  type StepSubject,
  type VisibleStatuses,
} from './step-journal.js';

// Shared by the money sagas: which shape a run takes, registering the operation and the identification gate
// (journaling a step: step-journal.ts).

export interface MoneySaga<State, Status extends string, Ids> {
  /** The patch of the saga's lean shape: its own per saga, so each shape is retired on its own. */
  patch: string;
  registration: OperationRegistration<State>;
  subject: StepSubject;
  /** The statuses the lean shape shows as OperationStatus. */
  visible: VisibleStatuses;
  /** The saga's first step: journalled with the registration (lean), or on its own once registered. */
  received: (steps: SagaSteps<Status>) => Promise<void>;
  /** How the saga names itself at the counterparts: since the registry (`dep-<id>`…), and before it. */
  ids: { registered: Ids; unregistered: Ids };
  /** The saga's steps, written once for both shapes. */
  steps: (shape: SagaShape<Status> & { lean: boolean }, ids: Ids) => Promise<State>;
  answerFinished?: (recorded: State) => Failure | undefined;
}

/**
 * Runs a money saga in the shape its history asks for. Today's: the lean steps (docs/operation-cost.md), journal
 * rows carried by the local activities the saga runs anyway and our own ledger as local activities. Runs
 * recorded before it replay as they ran: a journal row, an OperationStatus upsert and a local activity per step,
 * the ledger as worker activities; those from before the operation registry without registering, under the raw id.
 */
export async function runMoneySaga<State extends object, Status extends string, Ids>(
  saga: MoneySaga<State, Status, Ids>,
): Promise<State> {
  const { registration, subject, answerFinished } = saga;
  const state = registration.state as { status: Status; failure?: Failure };
  if (patched(saga.patch)) {
    const steps = new StepQueue<Status>(state, registration.kind, subject, saga.visible);
    await saga.received(steps);
    return asRegisteredOperation(
      { ...registration, steps },
      () => saga.steps({ steps, ledger: localLedger, lean: true }, saga.ids.registered),
      answerFinished,
    );
  }
  const perStep = async (ids: Ids) => {
    const steps = new StepJournal<Status>(state, registration.kind, subject);
    await saga.received(steps);
    return saga.steps({ steps, ledger, lean: false }, ids);
  };
  if (!patched('operation-registry')) return perStep(saga.ids.unregistered);
  return asRegisteredOperation(registration, () => perStep(saga.ids.registered), answerFinished);
}

/** The registration of a saga whose input names its bettor: the request it registers is the rest of the input. */
export function registrationOf<State>(
  kind: OperationKind,
  operationId: string,
  { bettorRef, ...request }: { bettorRef: string },
  state: OperationRegistration<State>['state'],
  refusedStatus: string,
): OperationRegistration<State> {
  return { kind, operationId, request, bettorRef, state, refusedStatus };
}

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
  steps?: QueuedSteps;
}

/** What the registration and the outcome do with a lean saga's queued steps. */
type QueuedSteps = Pick<StepQueue<string>, 'carry' | 'take'>;

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

const lastSteps = (steps?: QueuedSteps) => (steps ? { steps: steps.take() } : {});

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
