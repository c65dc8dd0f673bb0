import { expect, vi } from 'vitest';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { createBettingLedgerActivities } from '../../activities/betting-ledger.js';
import type { createBettorGateActivities } from '../../activities/bettor-gate.js';
import type { createEsuActivities } from '../../activities/esu.js';
import type { createJournalActivities } from '../../activities/journal.js';
import type { createLedgerActivities } from '../../activities/ledger.js';
import type { createNomapayActivities } from '../../activities/nomapay.js';
import type { createOperationRegistryActivities } from '../../activities/operation-registry.js';
import type { BetRecord } from '../../domain/bet.js';
import type { StepRecord } from '../../activities/journal.js';
import type { SubmissionStartActivities } from '../../activities/submission-start.js';
import { ErrorType } from '../../domain/errors.js';
import { uniqueId } from '../support/ids.js';
import { acceptingSubmissionActivities } from './submission-fakes.js';

/** Every activity a deposit may call, typed from each factory so a signature change breaks the tests. */
export type DepositActivities = ReturnType<typeof createEsuActivities> &
  ReturnType<typeof createNomapayActivities> &
  ReturnType<typeof createLedgerActivities> &
  ReturnType<typeof createJournalActivities> &
  ReturnType<typeof createBettorGateActivities> &
  ReturnType<typeof createOperationRegistryActivities>;
/** Every activity a money saga may call: a deposit's, the betting ledger's and the submission start. */
export type Activities = DepositActivities &
  ReturnType<typeof createBettingLedgerActivities> &
  SubmissionStartActivities;
export type Tracked = Activities & { calls: string[] };

export const NOW = '2026-11-20T10:00:00.000+05:00';
export const BETTOR_REF = 'b'.repeat(64);
/** What the tests' bets are on: the home side of evt-42 at 2.35. */
export const BET_SELECTION = { eventId: 'evt-42', outcome: 'HOME', odds: '2.35' } as const;

export function acceptedBet(overrides: Partial<BetRecord> = {}): BetRecord {
  return {
    betId: 'bet-x',
    workflowId: 'Bet:bet-x',
    bettorRef: BETTOR_REF,
    iin: '900517300019',
    ...BET_SELECTION,
    stakeTiyn: 333,
    status: 'ACCEPTED',
    esuReceiptId: 'ESU-7',
    result: null,
    winningsTiyn: null,
    settlementId: null,
    placedAt: NOW,
    acceptedAt: NOW,
    settledAt: null,
    ...overrides,
  };
}

/**
 * The operation registry in memory, with the real one's rules (activities/operation-registry.ts): one id, one
 * kind, one request; a finished operation answers its outcome. Shared by every fake set of one test.
 */
export function fakeRegistry(): Pick<Activities, 'registerOperation' | 'finishOperation'> {
  const rows = new Map<
    string,
    {
      kind: string;
      request: string;
      outcome?: 'COMPLETED' | 'FAILED';
      state?: Record<string, unknown>;
      failure?: { type: string; message: string };
    }
  >();
  return {
    registerOperation: async ({ operationId, kind, request, reopenFailed }) => {
      const body = JSON.stringify(request);
      const row = rows.get(operationId);
      if (!row) {
        rows.set(operationId, { kind, request: body });
        return { outcome: 'REGISTERED' };
      }
      if (row.kind !== kind || row.request !== body) {
        throw ApplicationFailure.create({
          message: `the id ${operationId} is already registered`,
          type: ErrorType.IdempotencyConflict,
          nonRetryable: true,
        });
      }
      if (!row.outcome || (row.outcome === 'FAILED' && reopenFailed)) {
        delete row.outcome;
        return { outcome: 'REGISTERED' };
      }
      return {
        outcome: 'FINISHED',
        finished: row.outcome,
        state: row.state ?? {},
        ...(row.failure ? { failure: row.failure } : {}),
      };
    },
    finishOperation: async ({ operationId, outcome, state, failure }) => {
      const row = rows.get(operationId);
      if (row && !row.outcome) Object.assign(row, { outcome, state, failure });
    },
  };
}

/** Each fake as a `vi.fn()` that also counts its calls, by name and in order, in `calls`. */
export function tracking<A extends object>(base: A): A & { calls: string[] } {
  const calls: string[] = [];
  const tracked = Object.fromEntries(
    Object.entries(base).map(([name, fn]: [string, (...args: unknown[]) => Promise<unknown>]) => [
      name,
      vi.fn(async (...args: unknown[]) => {
        calls.push(name);
        return fn(...args);
      }),
    ]),
  ) as unknown as A;
  return Object.assign(tracked, { calls });
}

/** The deposit saga's counterparts and journal, all succeeding (the registry is `fakeRegistry`). */
export function depositFakes(): Omit<DepositActivities, 'registerOperation' | 'finishOperation'> {
  return {
    checkBettorEligibility: async () => ({ eligible: true, checkedAt: NOW }),
    checkBettorIdentified: async () => ({ allowed: true, status: 'IDENTIFIED' }),
    recordOperation: async (req) => ({
      receiptId: `ESU-${req.operationId}`,
      operationId: req.operationId,
      recordedAt: NOW,
    }),
    transferWallet: async ({ iin: _iin, ...req }) => ({ ...req, status: 'COMPLETED', completedAt: NOW }),
    refundWalletTransfer: async () => 'NOTHING_TO_UNDO',
    creditDeposit: async ({ depositId }) => ({ transferId: `${depositId}:credit`, outcome: 'POSTED' }),
    reverseDepositCredit: async () => 'REVERSED',
    recordStep: async () => undefined,
    recordSteps: async () => undefined,
  };
}

/** Fakes that succeed; each test overrides what it needs. Every call is counted in `calls`, in order. */
export function fakeActivities(overrides: Partial<Activities> = {}): Tracked {
  return tracking<Activities>({
    ...depositFakes(),
    startSubmissionWorkflow: async ({ submissionId }) => ({ submissionId, started: true }),
    ...fakeRegistry(),
    reserveStake: async ({ betId }) => ({ reservationId: `${betId}:stake`, outcome: 'RESERVED', placedAt: NOW }),
    acceptBet: async ({ betId }) => ({ transferId: `${betId}:stake`, outcome: 'POSTED' }),
    voidStake: async () => 'VOIDED',
    loadBet: async ({ betId }) => acceptedBet({ betId, workflowId: `Bet:${betId}` }),
    settleBetInLedger: async ({ operationId, winningsTiyn }) => ({
      outcome: 'SETTLED',
      operationId,
      winningsTiyn,
      settledAt: NOW,
    }),
    reservePayout: async ({ payoutId }) => ({ reservationId: `${payoutId}:payout`, outcome: 'RESERVED' }),
    postPayout: async ({ payoutId }) => ({ transferId: `${payoutId}:payout`, outcome: 'POSTED' }),
    releasePayout: async () => 'VOIDED',
    ...overrides,
  });
}

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

export const rejection = (type: ErrorType, code: string) =>
  ApplicationFailure.create({
    message: `${code}: refused`,
    type,
    nonRetryable: true,
    details: [{ code, message: 'refused' }],
  });

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
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
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
    return { ...outcome, finalStatus, handle, children: await endChildren(env, handle) };
  });
}

/** The children a workflow started (from its history, input decoded), each terminated once seen to exist. */
export async function endChildren(env: TestWorkflowEnvironment, handle: WorkflowHandle): Promise<StartedChild[]> {
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
