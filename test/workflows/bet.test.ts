import { describe, expect, it, vi } from 'vitest';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { BetStatus, type BetState } from '../../domain/bet.js';
import { ErrorType } from '../../domain/errors.js';
import { createBettingClient } from '../../client/betting.js';
import { bettorRef } from '../../client/bettor-ref.js';
import { IdempotencyConflictError, OperationFailedError } from '../../client/errors.js';
import { uniqueId } from '../support/ids.js';
import { BET_SELECTION, BETTOR_REF, fakeActivities, NOW } from './betting-fakes.js';
import { env, useTimeSkipping, withWorker } from '../support/workflows.js';
import {
  betInput as input,
  betRequest,
  expectInvalidInputRefused,
  expectJournalCarried,
  expectUnder21Refused,
  failureOf,
  historyShape,
  journalledStatuses,
  journalledSteps,
  moneyCalls,
  refusing,
  restricted,
  runBet as run,
  runToEnd,
  runToFailure,
  unreachable,
} from '../support/wf-money.js';

useTimeSkipping();

describe('bet saga', () => {
  it('reserves the stake, records the bet with its odds in ESU, then posts the stake and accepts', async () => {
    const activities = fakeActivities();
    const args = input();
    const { state } = await runToEnd(run, activities, args, BetStatus.Accepted);
    expect(state?.reservationId).toBe(`${args.betId}:stake`);
    expect(state?.esuReceipt?.receiptId).toBe(`ESU-bet-${args.betId}`);
    expect(moneyCalls(activities)).toEqual([
      'checkBettorEligibility',
      'checkBettorIdentified',
      'reserveStake',
      'recordOperation',
      'acceptBet',
    ]);
    expect(activities.checkBettorEligibility).toHaveBeenCalledWith({ iin: args.iin, purpose: 'BET' });
    expect(activities.recordOperation).toHaveBeenCalledWith({
      operationId: `bet-${args.betId}`,
      kind: 'BET',
      iin: args.iin,
      amountTiyn: 10_000,
      currency: 'KZT',
      occurredAt: NOW, // when the stake was reserved, from the ledger
      bet: { betId: args.betId, ...BET_SELECTION },
    });
    expect(activities.acceptBet).toHaveBeenCalledWith({
      betId: args.betId,
      esuReceiptId: `ESU-bet-${args.betId}`,
      acceptedAt: NOW,
      steps: expect.any(Array), // the journal rows it writes with the posting
    });
    expect(activities.voidStake).not.toHaveBeenCalled();
    // Wherever each row went (its own local activity, or carried by the registration, the gate, a ledger posting).
    const steps = journalledSteps(activities).map((step) => [step.status, step.kind, step.operationId]);
    expect(steps.map(([status]) => status)).toEqual([
      'CHECKING_BETTOR',
      'RESERVING_STAKE',
      'RECORDING_IN_ESU',
      'ACCEPTING',
      'ACCEPTED',
    ]);
    expect(new Set(steps.map(([, kind, op]) => `${kind}/${op}`))).toEqual(new Set([`BET/${args.betId}`]));
  });

  it('voids the reservation when ESU rejects the bet, and says why', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'LIMIT_EXCEEDED') });
    const args = input();
    const { error, finalStatus } = await run(activities, args);
    const failure = failureOf(error);
    expect(failure.type).toBe(ErrorType.EsuRejected);
    expect(failure.message).toContain('LIMIT_EXCEEDED');
    // The chain the client maps: the workflow's failure → the activity failure → ESU's refusal.
    expect(failure.cause).toBeInstanceOf(ActivityFailure);
    expect((failure.cause as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
    expect(((failure.cause as ActivityFailure).cause as ApplicationFailure).type).toBe(ErrorType.EsuRejected);
    expect((failure.details?.[0] as BetState).status).toBe(BetStatus.Voided);
    expect(moneyCalls(activities)).toEqual([
      'checkBettorEligibility',
      'checkBettorIdentified',
      'reserveStake',
      'recordOperation',
      'voidStake',
    ]);
    expect(activities.voidStake).toHaveBeenCalledWith({ betId: args.betId });
    expect(activities.acceptBet).not.toHaveBeenCalled();
    expect(activities.recordOperation).toHaveBeenCalledTimes(1); // a refusal is not retried
    expect(finalStatus).toMatchObject({
      status: BetStatus.Voided,
      compensations: ['void-stake'],
      failure: { type: ErrorType.EsuRejected },
    });
  });

  it('voids the reservation when ESU gives no receipt within the real-time deadline', async () => {
    const attemptsAtMs: number[] = [];
    const activities = fakeActivities({
      recordOperation: async () => {
        attemptsAtMs.push(await env.currentTimeMs());
        return unreachable('esu POST /v1/operations → 503', '20 seconds')();
      },
    });
    await runToFailure(run, activities, input(), ErrorType.CounterpartUnavailable, BetStatus.Voided);
    // ESU was retried for the real-time deadline (2 minutes), not ESU's 24-hour deposit deadline.
    const spanMs = attemptsAtMs.at(-1)! - attemptsAtMs[0]!;
    expect(attemptsAtMs.length).toBeGreaterThanOrEqual(4);
    expect(spanMs).toBeGreaterThanOrEqual(60_000);
    expect(spanMs).toBeLessThanOrEqual(120_000);
    expect(activities.voidStake).toHaveBeenCalledTimes(1);
    expect(activities.acceptBet).not.toHaveBeenCalled();
  });

  it('refuses a bettor under 21 on its own, before ESU or the ledger is asked', async () => {
    // ESU's register would let this bettor through.
    await expectUnder21Refused(run, input, fakeActivities(), BetStatus.Refused);
  });

  it('refuses a restricted bettor before anything moves', async () => {
    const activities = fakeActivities({ checkBettorEligibility: restricted('SELF_EXCLUDED') });
    const { failure } = await runToFailure(run, activities, input(), ErrorType.BettorRestricted, BetStatus.Refused);
    expect(failure.message).toContain('SELF_EXCLUDED');
    expect(moneyCalls(activities)).toEqual(['checkBettorEligibility']);
  });

  it('refuses a bettor whose identification is not finished, before anything moves', async () => {
    const activities = fakeActivities({ checkBettorIdentified: async () => ({ allowed: false, status: 'IN_REVIEW' }) });
    const { failure } = await runToFailure(run, activities, input(), ErrorType.BettorNotIdentified, BetStatus.Refused);
    expect(failure.message).toContain('IN_REVIEW');
    expect(moneyCalls(activities)).toEqual(['checkBettorEligibility', 'checkBettorIdentified']);
  });

  it('refuses a stake the balance does not cover; the void finds nothing to undo', async () => {
    const activities = fakeActivities({
      reserveStake: refusing(ErrorType.InsufficientBalance, 'INSUFFICIENT_BALANCE'),
      voidStake: async () => 'NOTHING_TO_UNDO',
    });
    await runToFailure(run, activities, input(), ErrorType.InsufficientBalance, BetStatus.Refused);
    expect(activities.recordOperation).not.toHaveBeenCalled();
    expect(activities.acceptBet).not.toHaveBeenCalled();
    expect(activities.voidStake).toHaveBeenCalledTimes(1);
    // No row of the hold that failed; VOIDING is journalled before the void, REFUSED with the outcome.
    expect(journalledSteps(activities).map((s) => `${s.status} ${s.result}`)).toEqual([
      'CHECKING_BETTOR OK',
      'RESERVING_STAKE OK',
      'VOIDING FAILED',
      'REFUSED REFUSED',
    ]);
  });

  it('fails loudly with CompensationFailed when the stake cannot be released', async () => {
    const activities = fakeActivities({
      recordOperation: refusing(ErrorType.EsuRejected, 'INVALID_OPERATION'),
      voidStake: refusing(ErrorType.LedgerRejected, 'POSTED'),
    });
    await runToFailure(run, activities, input(), ErrorType.CompensationFailed, BetStatus.CompensationFailed);
  });

  it('rejects invalid input with the field named, before any activity', async () => {
    await expectInvalidInputRefused(run, input({ odds: '2.35001' }), fakeActivities(), 'odds');
  });
});

describe('bet client', () => {
  const refKey = 'bet-test-key';

  it('places a bet once: the same request again joins the run, another body under the same id conflicts', async () => {
    const activities = fakeActivities();
    const request = betRequest({ stakeTiyn: 5_000, eventId: 'evt-1', outcome: 'AWAY', odds: '1.8' });
    await withWorker(activities, async (taskQueue) => {
      const bets = createBettingClient({ client: env.client, taskQueue, bettorRefKey: refKey });
      const first = await bets.startBet(request);
      const accepted = await first.result();
      const again = await bets.startBet({ ...request });
      expect(first.joined).toBe(false);
      expect(again).toMatchObject({ workflowId: `Bet:${request.betId}`, joined: true });
      expect(await again.result()).toEqual(accepted);
      expect(accepted.status).toBe(BetStatus.Accepted);
      expect((await bets.getBet(request.betId)).status).toBe(BetStatus.Accepted);
      await expect(bets.startBet({ ...request, odds: '1.9' })).rejects.toBeInstanceOf(IdempotencyConflictError);
    });
    expect(activities.reserveStake).toHaveBeenCalledTimes(1);
    expect(activities.recordOperation).toHaveBeenCalledTimes(1);
    // The bettor appears in the input only as the keyed hash next to the IIN the counterparts need.
    expect(activities.reserveStake).toHaveBeenCalledWith(
      expect.objectContaining({ bettorRef: bettorRef(request.iin, refKey) }),
    );
  });

  it('names the field of an invalid bet and starts nothing', async () => {
    const bets = createBettingClient({ client: env.client, taskQueue: uniqueId('tq'), bettorRefKey: refKey });
    const err = await bets.startBet({ ...betRequest({ betId: 'b-1', stakeTiyn: 100 }), odds: 2.35 }).catch((e) => e);
    expect(err.name).toBe('InvalidRequestError');
    expect(err.issues.map((i: { field: string }) => i.field)).toEqual(['odds']);
  });

  it('maps a refused bet to OperationFailedError with the type and the voided state', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'BETTOR_RESTRICTED') });
    const err = await withWorker(activities, (taskQueue) =>
      createBettingClient({ client: env.client, taskQueue, bettorRefKey: refKey })
        .placeBet(betRequest({ stakeTiyn: 100, odds: '3.1' }))
        .catch((e) => e),
    );
    expect(err).toBeInstanceOf(OperationFailedError);
    expect(err.type).toBe(ErrorType.EsuRejected);
    expect(err.state.status).toBe(BetStatus.Voided);
  });
});

describe('bet saga: journal rows carried by the local activities it runs anyway', () => {
  it('journals each step with the registration, the gate, the stake’s hold and posting and the outcome', async () => {
    const args = input();
    // The ledger runs as local activities: only ESU's calls are worker activities.
    const { activities } = await expectJournalCarried(
      run,
      args,
      BetStatus.Accepted,
      {
        registerOperation: [['CHECKING_BETTOR bet.received']],
        checkBettorIdentified: [['RESERVING_STAKE bet.bettor-eligible']],
        reserveStake: [['RECORDING_IN_ESU bet.stake-reserved']],
        acceptBet: [['ACCEPTING bet.recorded-in-esu']],
        finishOperation: [['ACCEPTED bet.accepted']],
      },
      ['checkBettorEligibility', 'recordOperation'],
    );
    // Every attribute of the journal row stays: the bet's details, the receipt, who and when.
    expect(vi.mocked(activities.registerOperation).mock.calls[0]![0].steps![0]).toMatchObject({
      kind: 'BET',
      operationId: args.betId,
      workflowId: `Bet:${args.betId}`,
      bettorRef: BETTOR_REF,
      amountTiyn: 10_000,
      result: 'OK',
      details: BET_SELECTION,
      startedAtMs: expect.any(Number),
    });
    expect(vi.mocked(activities.finishOperation).mock.calls[0]![0].steps![0]).toMatchObject({
      esuReceiptId: `ESU-bet-${args.betId}`,
    });
  });

  it('journals VOIDING before the void runs, then VOIDED with the outcome', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'LIMIT_EXCEEDED') });
    const { finalStatus, handle } = await run(activities, input());
    expect(finalStatus.status).toBe(BetStatus.Voided);
    expect(activities.calls.filter((c) => c === 'recordSteps' || c === 'voidStake')).toEqual([
      'recordSteps',
      'voidStake',
    ]);
    expect(journalledStatuses(activities)).toEqual([
      'CHECKING_BETTOR',
      'RESERVING_STAKE',
      'RECORDING_IN_ESU',
      'VOIDING',
      'VOIDED',
    ]);
    expect((await historyShape(handle)).operationStatus).toEqual([BetStatus.Voiding, BetStatus.Voided]);
  });
});
