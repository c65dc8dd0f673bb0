import { describe, expect, it, vi } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SettlementStatus, type SettlementState } from '../../domain/bet.js';
import { ErrorType } from '../../domain/errors.js';
import { createBettingClient } from '../../client/betting.js';
import { OperationFailedError } from '../../client/errors.js';
import { uniqueId } from '../support/ids.js';
import { acceptedBet, BET_SELECTION, BETTOR_REF, fakeActivities, NOW } from './betting-fakes.js';
import { env, useTimeSkipping, withWorker } from '../support/workflows.js';
import {
  expectJournalCarried,
  failingFirst,
  failureOf,
  journalledSteps,
  moneyCalls,
  refusing,
  runSettlement as run,
  runToFailure,
  stepEvents,
} from '../support/wf-money.js';

useTimeSkipping();

describe('settlement saga', () => {
  it('credits a won bet with stake × odds rounded down to the tiyn and records the win in ESU', async () => {
    const activities = fakeActivities();
    const betId = uniqueId('bet');
    const { state, error } = await run(activities, { betId, result: 'WON' });
    expect(error).toBeUndefined();
    // 333 tiyn at 2.35 is 782.55 tiyn: the bookmaker pays 782.
    expect(state).toMatchObject({
      status: SettlementStatus.Settled,
      operationId: `${betId}.settle`,
      winningsTiyn: 782,
      creditedTiyn: 782,
      alreadySettled: false,
    });
    expect(moneyCalls(activities)).toEqual(['loadBet', 'settleBetInLedger', 'recordOperation']);
    expect(activities.settleBetInLedger).toHaveBeenCalledWith({
      betId,
      operationId: `${betId}.settle`,
      result: 'WON',
      winningsTiyn: 782,
      stepsIfSettled: expect.any(Array), // the journal rows it writes if it settles the bet
    });
    expect(activities.recordOperation).toHaveBeenCalledWith({
      operationId: `stl-${betId}.settle`,
      kind: 'SETTLEMENT',
      iin: '900517300019',
      amountTiyn: 333,
      currency: 'KZT',
      occurredAt: NOW,
      bet: { betId, ...BET_SELECTION, result: 'WON', winningsTiyn: 782 },
    });
    const steps = journalledSteps(activities);
    expect(steps.map((s) => s.status)).toEqual(['LOADING_BET', 'POSTING', 'RECORDING_IN_ESU', 'SETTLED']);
    expect(steps.at(-1)).toMatchObject({
      kind: 'SETTLEMENT',
      bettorRef: BETTOR_REF,
      amountTiyn: 333,
      esuReceiptId: `ESU-stl-${betId}.settle`,
    });
  });

  it('records a lost bet with no win, under the bookmaker’s own settlement id', async () => {
    const activities = fakeActivities();
    const betId = uniqueId('bet');
    const { state } = await run(activities, { betId, result: 'LOST', settlementId: 'stl-77' });
    expect(state).toMatchObject({
      status: SettlementStatus.Settled,
      operationId: 'stl-77',
      winningsTiyn: 0,
      creditedTiyn: 0,
    });
    expect(activities.settleBetInLedger).toHaveBeenCalledWith({
      betId,
      operationId: 'stl-77',
      result: 'LOST',
      winningsTiyn: 0,
      stepsIfSettled: expect.any(Array), // the journal rows it writes if it settles the bet
    });
    expect(activities.recordOperation).toHaveBeenCalledWith(
      expect.objectContaining({
        operationId: 'stl-stl-77',
        bet: expect.objectContaining({ result: 'LOST', winningsTiyn: 0 }),
      }),
    );
  });

  it('gives a void bet its stake back without a win', async () => {
    const activities = fakeActivities();
    const { state } = await run(activities, { betId: uniqueId('bet'), result: 'VOID' });
    expect(state).toMatchObject({ status: SettlementStatus.Settled, winningsTiyn: 0, creditedTiyn: 333 });
    expect(activities.recordOperation).toHaveBeenCalledWith(
      expect.objectContaining({ bet: expect.objectContaining({ result: 'VOID', winningsTiyn: 0 }) }),
    );
  });

  it('returns the earlier outcome when the bet was settled before with the same result', async () => {
    const betId = uniqueId('bet');
    const activities = fakeActivities({
      loadBet: async () =>
        acceptedBet({
          betId,
          status: 'SETTLED',
          result: 'WON',
          winningsTiyn: 782,
          settlementId: 'stl-first',
          settledAt: '2026-11-19T08:00:00.000Z',
        }),
      settleBetInLedger: async () => ({
        outcome: 'ALREADY_SETTLED',
        operationId: 'stl-first',
        winningsTiyn: 782,
        settledAt: '2026-11-19T08:00:00.000Z',
      }),
    });
    const { state, error } = await run(activities, { betId, result: 'WON' });
    expect(error).toBeUndefined();
    expect(state).toMatchObject({
      status: SettlementStatus.Settled,
      alreadySettled: true,
      operationId: 'stl-first',
      winningsTiyn: 782,
      settledAt: '2026-11-19T08:00:00.000Z',
    });
    // ESU is asked again under the first operation id, which it answers idempotently.
    expect(activities.recordOperation).toHaveBeenCalledWith(
      expect.objectContaining({ operationId: 'stl-stl-first', occurredAt: '2026-11-19T08:00:00.000Z' }),
    );
  });

  it('refuses another result for a settled bet: a settlement is final', async () => {
    const activities = fakeActivities({
      loadBet: async ({ betId }) =>
        acceptedBet({
          betId,
          status: 'SETTLED',
          result: 'WON',
          winningsTiyn: 782,
          settlementId: `${betId}.settle`,
          settledAt: NOW,
        }),
    });
    await runToFailure(
      run,
      activities,
      { betId: uniqueId('bet'), result: 'LOST' },
      ErrorType.SettlementConflict,
      SettlementStatus.Refused,
    );
    expect(activities.settleBetInLedger).not.toHaveBeenCalled();
    expect(activities.recordOperation).not.toHaveBeenCalled();
  });

  it('refuses an unknown bet', async () => {
    const activities = fakeActivities({ loadBet: async () => null });
    const { error } = await run(activities, { betId: uniqueId('bet'), result: 'WON' });
    const failure = failureOf(error);
    expect(failure.type).toBe(ErrorType.UnknownBet);
    expect((failure.details?.[0] as SettlementState).status).toBe(SettlementStatus.Refused);
    expect(moneyCalls(activities)).toEqual(['loadBet']);
  });

  it('refuses a bet ESU never accepted', async () => {
    const activities = fakeActivities({
      loadBet: async ({ betId }) => acceptedBet({ betId, status: 'VOIDED', esuReceiptId: null }),
    });
    const { error } = await run(activities, { betId: uniqueId('bet'), result: 'WON' });
    expect(failureOf(error).type).toBe(ErrorType.BetNotAccepted);
    expect(moneyCalls(activities)).toEqual(['loadBet']);
  });

  it('retries ESU’s transient faults after the money moved, and records once ESU answers', async () => {
    const activities = fakeActivities({
      recordOperation: failingFirst(
        2,
        () => ApplicationFailure.create({ message: 'esu 503', nextRetryDelay: '1 hour' }),
        async (req) => ({ receiptId: 'ESU-late', operationId: req.operationId, recordedAt: NOW }),
      ),
    });
    const { state } = await run(activities, { betId: uniqueId('bet'), result: 'LOST' });
    expect(state).toMatchObject({ status: SettlementStatus.Settled, esuReceipt: { receiptId: 'ESU-late' } });
    expect(activities.recordOperation).toHaveBeenCalledTimes(3);
    expect(activities.settleBetInLedger).toHaveBeenCalledTimes(1);
  });
});

describe('settlement client', () => {
  it('joins the settlement when asked again with the same result, and refuses another result at once', async () => {
    const activities = fakeActivities();
    const betId = uniqueId('bet');
    await withWorker(activities, async (taskQueue) => {
      const bets = createBettingClient({ client: env.client, taskQueue, bettorRefKey: 'k' });
      const first = await bets.settleBet({ betId, result: 'WON' });
      const again = await bets.startSettlement({ betId, result: 'WON', settlementId: 'another-name' });
      expect(again.joined).toBe(true);
      expect(await again.result()).toEqual(first);
      const conflict = await bets.startSettlement({ betId, result: 'LOST' }).catch((e) => e);
      expect(conflict).toBeInstanceOf(OperationFailedError);
      expect(conflict.type).toBe(ErrorType.SettlementConflict);
    });
    expect(activities.settleBetInLedger).toHaveBeenCalledTimes(1);
  });

  it('may settle again after a settlement that failed without moving money', async () => {
    let known = false;
    const activities = fakeActivities({ loadBet: async ({ betId }) => (known ? acceptedBet({ betId }) : null) });
    const betId = uniqueId('bet');
    await withWorker(activities, async (taskQueue) => {
      const bets = createBettingClient({ client: env.client, taskQueue, bettorRefKey: 'k' });
      const err = await bets.settleBet({ betId, result: 'WON' }).catch((e) => e);
      expect(err.type).toBe(ErrorType.UnknownBet);
      known = true;
      const retried = await bets.startSettlement({ betId, result: 'WON' });
      expect(retried.joined).toBe(false);
      expect((await retried.result()).status).toBe(SettlementStatus.Settled);
    });
  });
});

describe('settlement saga: journal rows carried by the local activities it runs anyway', () => {
  it('reads and settles the bet in local activities, the posting with its rows in one transaction', async () => {
    const betId = uniqueId('bet');
    const { activities } = await expectJournalCarried(
      run,
      { betId, result: 'WON' },
      SettlementStatus.Settled,
      {
        registerOperation: [['LOADING_BET settlement.received']],
        settleBetInLedger: [['POSTING settlement.bet-loaded', 'RECORDING_IN_ESU settlement.posted']],
        finishOperation: [['SETTLED settlement.settled']],
      },
      ['recordOperation'],
    );
    // The rows after the bet is loaded know its bettor and stake.
    expect(vi.mocked(activities.settleBetInLedger).mock.calls[0]![0].stepsIfSettled![1]).toMatchObject({
      operationId: `${betId}.settle`,
      bettorRef: BETTOR_REF,
      amountTiyn: 333,
      details: { winningsTiyn: 782 },
    });
  });

  it('journals a bet found settled already before ESU is asked again', async () => {
    const betId = uniqueId('bet');
    const activities = fakeActivities({
      settleBetInLedger: async () => ({
        outcome: 'ALREADY_SETTLED',
        operationId: 'stl-first',
        winningsTiyn: 782,
        settledAt: NOW,
      }),
    });
    const { state } = await run(activities, { betId, result: 'WON' });
    expect(state).toMatchObject({ status: SettlementStatus.Settled, alreadySettled: true, operationId: 'stl-first' });
    // The ledger wrote none of its rows (it did not settle); they go before ESU's call, which may retry for long.
    expect(activities.calls.filter((c) => c === 'recordSteps' || c === 'recordOperation')).toEqual([
      'recordSteps',
      'recordOperation',
    ]);
    expect(
      vi.mocked(activities.recordSteps).mock.calls[0]![0].steps.map((s) => [s.status, s.event, s.operationId]),
    ).toEqual([
      ['POSTING', 'settlement.bet-loaded', `${betId}.settle`],
      ['RECORDING_IN_ESU', 'settlement.already-posted', 'stl-first'],
    ]);
  });

  it('refuses a bet a concurrent settlement won: the rows of the refused posting go with the outcome', async () => {
    const activities = fakeActivities({
      settleBetInLedger: refusing(ErrorType.SettlementConflict, 'SETTLED'),
    });
    const { error } = await run(activities, { betId: uniqueId('bet'), result: 'WON' });
    expect(failureOf(error).type).toBe(ErrorType.SettlementConflict);
    expect(stepEvents(journalledSteps(activities))).toEqual([
      'LOADING_BET settlement.received',
      'POSTING settlement.bet-loaded',
      'REFUSED settlement.refused',
    ]);
    expect(activities.recordOperation).not.toHaveBeenCalled();
  });
});

// Last in the file: once a child has run here (the real submission workflow, without its activities), the
// time-skipping server no longer skips time for this file, so tests that wait on retries come first.
describe('ESU refusal after the money moved', () => {
  it('keeps the settlement and hands the record to an ESU submission when ESU refuses it', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'INVALID_OPERATION') });
    const betId = uniqueId('bet');
    const { state, error, children } = await run(activities, { betId, result: 'WON' });
    expect(error).toBeUndefined();
    expect(state).toMatchObject({
      status: SettlementStatus.SettledEsuPending,
      esuSubmissionId: `esu-stl-${betId}.settle`,
      failure: { type: ErrorType.EsuRejected },
    });
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({
      workflowId: `Submission:esu-stl-${betId}.settle`,
      workflowType: 'submission',
      existed: true,
      parentClosePolicy: temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON,
      input: {
        submissionId: `esu-stl-${betId}.settle`,
        operationId: `${betId}.settle`,
        operationKind: 'SETTLEMENT',
        bettorRef: BETTOR_REF,
        attempt: 1,
        actor: 'system',
        payload: {
          counterpart: 'ESU',
          record: expect.objectContaining({ kind: 'SETTLEMENT', operationId: `stl-${betId}.settle` }),
        },
        initialRejection: {
          code: 'INVALID_OPERATION',
          reason: expect.stringContaining('INVALID_OPERATION'),
          rejectedAt: expect.any(String),
        },
      },
    });
    expect(activities.settleBetInLedger).toHaveBeenCalledTimes(1); // a refused record does not undo the settlement
  });
});
