/**
 * What the money sagas' workflow tests (bet, settlement, payout, deposit) share: the inputs they start with, one
 * `run…` per saga on a worker of fakes (test/workflows/betting-fakes.ts), what a run did (the calls, the journal
 * rows, the history, the children), the failures the fakes raise, and the refusals every saga makes alike. The file
 * using them calls `useTimeSkipping()` (test/support/workflows.ts).
 */
import { expect } from 'vitest';
import { ApplicationFailure, defaultPayloadConverter, type Duration } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { StepRecord } from '../../activities/journal.js';
import { placeBet } from '../../workflows/bet.js';
import { settleBet } from '../../workflows/settlement.js';
import { payout } from '../../workflows/payout.js';
import { deposit } from '../../workflows/deposit.js';
import type {
  BetInput,
  BetRequest,
  BetState,
  PayoutInput,
  PayoutRequest,
  PayoutState,
  SettlementInput,
  SettlementState,
} from '../../domain/bet.js';
import type { DepositInput, DepositState } from '../../domain/deposit.js';
import { ErrorType } from '../../domain/errors.js';
import {
  BETTOR_REF,
  BET_SELECTION,
  fakeActivities,
  NOW,
  rejection,
  type Activities,
} from '../workflows/betting-fakes.js';
import { acceptingSubmissionActivities } from '../workflows/submission-fakes.js';
import { adultIin, iinBornIn, uniqueId } from './ids.js';
import { env, workflowBundle } from './workflows.js';

/** A bet as the bookmaker sends it: 100 KZT on `BET_SELECTION`, the bettor's reference not derived yet. */
export const betRequest = (overrides: Partial<BetRequest> = {}): BetRequest => ({
  betId: uniqueId('bet'),
  iin: adultIin(),
  stakeTiyn: 10_000,
  currency: 'KZT',
  ...BET_SELECTION,
  ...overrides,
});

/** A payout as the bookmaker sends it: 2 500 KZT to an adult. */
export const payoutRequest = (overrides: Partial<PayoutRequest> = {}): PayoutRequest => ({
  payoutId: uniqueId('po'),
  iin: adultIin(),
  amountTiyn: 250_000,
  currency: 'KZT',
  ...overrides,
});

/** What the client hands a saga: the request with the bettor's reference (`BETTOR_REF`). */
const withRef = <T>(request: T) => ({ ...request, bettorRef: BETTOR_REF });
export const betInput = (overrides: Partial<BetInput> = {}): BetInput => withRef(betRequest(overrides));
export const payoutInput = (overrides: Partial<PayoutInput> = {}): PayoutInput => withRef(payoutRequest(overrides));
/** A deposit of 5 000 KZT from an adult. */
export const depositInput = (overrides: Partial<DepositInput> = {}): DepositInput =>
  withRef({ depositId: uniqueId('dep'), iin: adultIin(), amountTiyn: 500_000, currency: 'KZT', ...overrides });

/** The calls that move money or talk to a counterpart, without the journal's and the registry's local activities. */
export const moneyCalls = (activities: { calls: string[] }) => activities.calls.filter((c) => !BOOKKEEPING.includes(c));
export const BOOKKEEPING = ['recordStep', 'recordSteps', 'registerOperation', 'finishOperation'];

/**
 * Every step a saga journalled, in order, wherever it went: its own recordStep/recordSteps, or carried by the
 * registration, the identification gate (only when it let the bettor through), a ledger posting (a settlement's
 * only when it settled the bet) or the outcome. A call that failed journalled nothing: its transaction rolled back.
 */
export function journalledSteps(activities: Record<string, unknown>): StepRecord[] {
  const calls: { order: number; steps: StepRecord[] }[] = [];
  for (const [name, fn] of Object.entries(activities)) {
    const mock = (
      fn as {
        mock?: {
          calls: unknown[][];
          invocationCallOrder: number[];
          settledResults: { type: string; value: unknown }[];
        };
      }
    ).mock;
    if (!mock) continue;
    mock.calls.forEach(([arg], i) => {
      const a = arg as {
        steps?: StepRecord[];
        stepsIfAllowed?: StepRecord[];
        stepsIfSettled?: StepRecord[];
      } & Partial<StepRecord>;
      const settled = mock.settledResults[i];
      const value = settled?.value as { allowed?: boolean; outcome?: string } | undefined;
      const steps =
        settled?.type !== 'fulfilled'
          ? []
          : name === 'recordStep'
            ? [a as StepRecord]
            : name === 'checkBettorIdentified'
              ? value?.allowed
                ? (a.stepsIfAllowed ?? [])
                : []
              : name === 'settleBetInLedger'
                ? value?.outcome === 'SETTLED'
                  ? (a.stepsIfSettled ?? [])
                  : []
                : (a?.steps ?? []);
      calls.push({ order: mock.invocationCallOrder[i]!, steps });
    });
  }
  return calls.sort((x, y) => x.order - y.order).flatMap((c) => c.steps);
}

/** The status of every step the saga journalled, in order (`journalledSteps`). */
export const journalledStatuses = (activities: Record<string, unknown>): string[] =>
  journalledSteps(activities).map((step) => step.status);

/** A call's journal rows as `STATUS event`: where each step's row went. */
export const stepEvents = (steps: readonly { status: string; event: string }[] | undefined): string[] =>
  (steps ?? []).map((s) => `${s.status} ${s.event}`);

/** The journal rows (`STATUS event`) each named activity's calls handed it to write in their transaction. */
export function carriedRows(activities: Record<string, unknown>, names: string[]): Record<string, string[][]> {
  return Object.fromEntries(
    names.map((name) => {
      const calls = (activities[name] as { mock: { calls: unknown[][] } }).mock.calls;
      return [
        name,
        calls.map(([arg]) => {
          const a = arg as Record<string, { status: string; event: string }[] | undefined>;
          return stepEvents(a.steps ?? a.stepsIfAllowed ?? a.stepsIfSettled);
        }),
      ];
    }),
  );
}

/** What a run's history holds: the worker activities it scheduled and the OperationStatus values it upserted. */
export async function historyShape(
  handle: WorkflowHandle,
): Promise<{ activities: string[]; operationStatus: unknown[] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    activities: events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
    operationStatus: events.flatMap((e) => {
      const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OperationStatus;
      return field ? [defaultPayloadConverter.fromPayload(field)] : [];
    }),
  };
}

export interface StartedChild {
  workflowId: string;
  workflowType: string;
  input: unknown;
  parentClosePolicy: unknown;
  /** Whether the server knows the child (describe() answered) when the parent had ended. */
  existed: boolean;
}

/**
 * Runs one workflow on its own worker and task queue; returns its result or failure, its last state and the
 * children it started. Abandoned children (the submission workflow, running on accepting fakes) are
 * terminated before the worker stops: a child whose workflow task cannot complete would hold the time-skipping
 * server's clock for every later test in the file.
 */
export async function runWorkflow<State>(
  activities: Partial<Activities>,
  start: (taskQueue: string) => Promise<WorkflowHandle>,
): Promise<{
  state?: State;
  error?: WorkflowFailedError;
  finalStatus: State;
  handle: WorkflowHandle;
  children: StartedChild[];
}> {
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { ...acceptingSubmissionActivities(), ...activities },
  });
  return worker.runUntil(async () => {
    const handle = await start(taskQueue);
    const outcome = await handle.result().then(
      (state) => ({ state: state as State, error: undefined }),
      (error: WorkflowFailedError) => ({ state: undefined, error }),
    );
    // Queried while the worker still runs: a closed workflow's query is answered by replaying it.
    const finalStatus = (await handle.query('getStatus')) as State;
    return { ...outcome, finalStatus, handle, children: await endChildren(handle) };
  });
}

/** The children a workflow started (from its history, input decoded), each terminated once seen to exist. */
export async function endChildren(handle: WorkflowHandle): Promise<StartedChild[]> {
  const children = await startedChildren(handle);
  return Promise.all(
    children.map(async (child) => {
      const childHandle = env.client.workflow.getHandle(child.workflowId);
      // A child started with the saga's last task (unawaited, ABANDON) may start a moment after the saga closed.
      let description = await childHandle.describe().catch(() => undefined);
      for (let i = 0; !description && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        description = await childHandle.describe().catch(() => undefined);
      }
      if (description?.status.name === 'RUNNING') await childHandle.terminate('test: abandoned child not under test');
      return { ...child, existed: description?.type === child.workflowType };
    }),
  );
}

/** WorkflowFailedError → ApplicationFailure: the `type` the client maps to an answer. */
export function failureOf(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** The children a workflow started, read from its history with their decoded input. */
export async function startedChildren(handle: WorkflowHandle): Promise<Omit<StartedChild, 'existed'>[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)
    .filter((attrs): attrs is NonNullable<typeof attrs> => !!attrs)
    .map((attrs) => ({
      workflowId: attrs.workflowId!,
      workflowType: attrs.workflowType!.name!,
      input: defaultPayloadConverter.fromPayload(attrs.input!.payloads![0]!),
      parentClosePolicy: attrs.parentClosePolicy,
    }));
}

type Run<Input, State> = (activities: Partial<Activities>, args: Input) => ReturnType<typeof runWorkflow<State>>;

/** Runs one saga (`runWorkflow`) under the workflow id the client gives it. */
function sagaRunner<Input, State>(
  workflow: (input: Input) => Promise<State>,
  workflowId: (args: Input) => string,
): Run<Input, State> {
  return (activities, args) =>
    runWorkflow<State>(
      activities,
      (taskQueue) =>
        env.client.workflow.start(workflow as (input: Input) => Promise<unknown>, {
          taskQueue,
          workflowId: workflowId(args),
          args: [args],
        }) as Promise<WorkflowHandle>,
    );
}

export const runBet = sagaRunner<BetInput, BetState>(placeBet, (args) => `Bet:${args.betId}`);
export const runSettlement = sagaRunner<SettlementInput, SettlementState>(
  settleBet,
  (args) => `Settlement:${args.betId}`,
);
export const runPayout = sagaRunner<PayoutInput, PayoutState>(payout, (args) => `Payout:${args.payoutId}`);
export const runDeposit = sagaRunner<DepositInput, DepositState & { afmSubmissionId?: string }>(
  deposit,
  (args) => `Deposit:${args.depositId}`,
);

/** Runs a saga that must complete: no failure, and it ends at `status`; answers the run for the test's own checks. */
export async function runToEnd<Input, State extends { status: string }>(
  run: Run<Input, State>,
  activities: Partial<Activities>,
  args: Input,
  status: State['status'],
) {
  const outcome = await run(activities, args);
  expect(outcome.error).toBeUndefined();
  expect(outcome.state?.status).toBe(status);
  return outcome;
}

/** Runs a saga that must fail with `type` (`failureOf`) and end at `status`; answers the run and its failure. */
export async function runToFailure<Input, State extends { status: string }>(
  run: Run<Input, State>,
  activities: Partial<Activities>,
  args: Input,
  type: ErrorType,
  status: State['status'],
) {
  const outcome = await run(activities, args);
  const failure = failureOf(outcome.error);
  expect(failure.type).toBe(type);
  expect(outcome.finalStatus.status).toBe(status);
  return { ...outcome, failure };
}

/** The Nomapay transfer a deposit (the bettor pays in) or a payout (the bookmaker pays out) asks for. */
export function walletTransferOf(args: DepositInput | PayoutInput) {
  const [transferId, direction] =
    'depositId' in args
      ? [`dep-${args.depositId}`, 'BETTOR_TO_BOOKMAKER' as const]
      : [`pay-${args.payoutId}`, 'BOOKMAKER_TO_BETTOR' as const];
  return { transferId, iin: args.iin, direction, amountTiyn: args.amountTiyn, currency: 'KZT' };
}

/** The refund of that transfer, which names what it may undo: only this bettor's transfer, its direction and amount. */
export function walletRefundOf(args: DepositInput | PayoutInput, reason: string) {
  const { transferId, iin, direction, amountTiyn } = walletTransferOf(args);
  return { transferId, reason, expected: { iin, direction, amountTiyn } };
}

/**
 * Runs a saga on fakes that succeed to `status` and checks what it journals with the local activities it runs
 * anyway: every row carried by the call `rows` names (`carriedRows`), none by a journal call of its own, only
 * `workerActivities` (the counterparts' calls) in its history, and OperationStatus upserted once, at the end.
 * Answers the fakes and the run for the rows' own details.
 */
export async function expectJournalCarried<Input, State extends { status: string }>(
  run: Run<Input, State>,
  args: Input,
  status: State['status'],
  rows: Record<string, string[][]>,
  workerActivities: string[],
) {
  const activities = fakeActivities();
  const outcome = await runToEnd(run, activities, args, status);
  expect(carriedRows(activities, Object.keys(rows))).toEqual(rows);
  expect(activities.recordStep).not.toHaveBeenCalled();
  expect(activities.recordSteps).not.toHaveBeenCalled();
  expect(await historyShape(outcome.handle)).toEqual({ activities: workerActivities, operationStatus: [status] });
  return { ...outcome, activities };
}

/** A fake a counterpart always refuses (`rejection`): non-retryable, its code in the details. */
export const refusing = (type: ErrorType, code: string) => async (): Promise<never> => {
  throw rejection(type, code);
};

/** A fake whose counterpart never answers: a retryable failure, tried again after `nextRetryDelay`. */
export const unreachable = (message: string, nextRetryDelay: Duration) => async (): Promise<never> => {
  throw ApplicationFailure.create({ message, nextRetryDelay });
};

/** A fake that fails its first `failures` calls with `fault()`, then answers as `then`; its attempts are counted. */
export function failingFirst<Args extends unknown[], Result>(
  failures: number,
  fault: () => Error,
  then: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  let attempts = 0;
  return async (...args) => {
    attempts += 1;
    if (attempts <= failures) throw fault();
    return then(...args);
  };
}

/** Nomapay's transfer with one transient fault (a 503) before it moves the money. */
export const walletFlakyOnce = (): Activities['transferWallet'] =>
  failingFirst(
    1,
    () => new Error('nomapay POST /v1/transfers → 503'),
    async (req) => ({
      ...req,
      status: 'COMPLETED',
      completedAt: NOW,
    }),
  );

/** ESU's register answers that the bettor may not bet (self-excluded, barred…). */
export const restricted =
  (reason: NonNullable<Awaited<ReturnType<Activities['checkBettorEligibility']>>['reason']>) =>
  async (): ReturnType<Activities['checkBettorEligibility']> => ({ eligible: false, reason, checkedAt: NOW });

/**
 * Runs a saga for a bettor born 12 years before the test server's clock (time skipping has moved it on by years in
 * the file): refused on its own, before any counterpart or the ledger is asked, the IIN not in the message.
 */
export async function expectUnder21Refused<Input extends { iin: string }, State extends { status: string }>(
  run: Run<Input, State>,
  input: (overrides: Partial<Input>) => Input,
  activities: Partial<Activities> & { calls: string[] },
  refused: string,
): Promise<void> {
  const under21 = iinBornIn(new Date(await env.currentTimeMs()).getUTCFullYear() - 12);
  const args = input({ iin: under21 } as Partial<Input>);
  const { failure } = await runToFailure(run, activities, args, ErrorType.BettorUnderage, refused);
  expect(failure.message).not.toContain(under21);
  expect(moneyCalls(activities)).toEqual([]);
}

/** Runs a saga on invalid input: InvalidInput naming `field`, before any activity. */
export async function expectInvalidInputRefused<Input>(
  run: Run<Input, unknown>,
  args: Input,
  activities: { calls: string[] },
  field: string,
): Promise<void> {
  const { error } = await run(activities as Partial<Activities>, args);
  const failure = failureOf(error);
  expect(failure.type).toBe(ErrorType.InvalidInput);
  expect(failure.message).toContain(field);
  expect(activities.calls).toEqual([]);
}
