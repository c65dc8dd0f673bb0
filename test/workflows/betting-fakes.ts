import { vi } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { createBettingLedgerActivities } from '../../activities/betting-ledger.js';
import type { createBettorGateActivities } from '../../activities/bettor-gate.js';
import type { createEsuActivities } from '../../activities/esu.js';
import type { createJournalActivities } from '../../activities/journal.js';
import type { createLedgerActivities } from '../../activities/ledger.js';
import type { createNomapayActivities } from '../../activities/nomapay.js';
import type { createOperationRegistryActivities } from '../../activities/operation-registry.js';
import type { BetRecord } from '../../domain/bet.js';
import type { SubmissionStartActivities } from '../../activities/submission-start.js';
import type { MoneyFlowReportActivities } from '../../activities/money-flow-report.js';
import { ErrorType } from '../../domain/errors.js';

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
  SubmissionStartActivities &
  MoneyFlowReportActivities;
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
    sendMoneyFlowReport: async ({ submission }) => ({
      submissionId: submission.submissionId,
      status: 'ACKNOWLEDGED',
      started: true,
    }),
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

export const rejection = (type: ErrorType, code: string) =>
  ApplicationFailure.create({
    message: `${code}: refused`,
    type,
    nonRetryable: true,
    details: [{ code, message: 'refused' }],
  });
