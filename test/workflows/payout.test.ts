import { describe, expect, it, vi } from 'vitest';
import { PayoutStatus, type PayoutState } from '../../domain/bet.js';
import { DepositStatus } from '../../domain/deposit.js';
import { ErrorType } from '../../domain/errors.js';
import { createBettingClient } from '../../client/betting.js';
import { IdempotencyConflictError } from '../../client/errors.js';
import { BETTOR_REF, fakeActivities, NOW } from './betting-fakes.js';
import { env, useTimeSkipping, withWorker } from '../support/workflows.js';
import {
  depositInput,
  endChildren,
  expectJournalCarried,
  failureOf,
  historyShape,
  journalledStatuses,
  moneyCalls,
  payoutInput as input,
  payoutRequest,
  refusing,
  restricted,
  runDeposit,
  runPayout as run,
  runToEnd,
  runToFailure,
  stepEvents,
  unreachable,
  walletFlakyOnce,
  walletRefundOf,
  walletTransferOf,
} from '../support/wf-money.js';

useTimeSkipping();

/** The AFM report a completed deposit or payout starts, exactly as its local activity gets it. */
/** What the saga's last local activity sends: the submission (its first round) and the saga's queue time. */
const afmReport = (operationKind: 'DEPOSIT' | 'PAYOUT', operationId: string, record: Record<string, unknown>) => ({
  submission: afmSubmission(operationKind, operationId, record),
  queuedAt: expect.any(String) as string,
});

const afmSubmission = (operationKind: 'DEPOSIT' | 'PAYOUT', operationId: string, record: Record<string, unknown>) => ({
  submissionId: `afm-${operationKind === 'DEPOSIT' ? 'dep' : 'pay'}-${operationId}`,
  operationId,
  operationKind,
  bettorRef: BETTOR_REF,
  attempt: 1,
  payload: { counterpart: 'AFM', record },
  actor: 'system',
});

// Order matters in this file: a payout whose ESU record is refused starts an ESU submission child (the real
// workflow, without its activities here), after which the time-skipping server stops skipping time for the file.
// Tests that wait out a deadline therefore come first, failures next, completions last.
describe('payout saga: failures', () => {
  it('refunds whatever may have left and releases the hold when Nomapay stays unreachable past its deadline', async () => {
    const attemptsAtMs: number[] = [];
    const activities = fakeActivities({
      transferWallet: async () => {
        attemptsAtMs.push(await env.currentTimeMs());
        return unreachable('nomapay timed out', '20 minutes')();
      },
    });
    const args = input();
    const { error, finalStatus } = await run(activities, args);
    expect(failureOf(error).type).toBe(ErrorType.CounterpartUnavailable);
    expect(attemptsAtMs.at(-1)! - attemptsAtMs[0]!).toBeLessThanOrEqual(3600_000);
    expect(attemptsAtMs.length).toBeGreaterThanOrEqual(3);
    // Refund first (a timed-out transfer may have happened; the connector asks Nomapay), then the release.
    expect(moneyCalls(activities).slice(-2)).toEqual(['refundWalletTransfer', 'releasePayout']);
    expect(activities.refundWalletTransfer).toHaveBeenCalledWith(walletRefundOf(args, 'payout not completed'));
    expect(activities.releasePayout).toHaveBeenCalledWith({ payoutId: args.payoutId, bettorRef: BETTOR_REF });
    expect(activities.postPayout).not.toHaveBeenCalled();
    expect(finalStatus).toMatchObject({
      status: PayoutStatus.Compensated,
      compensations: ['refund-wallet', 'release-reservation'],
    });
  });

  it('releases the hold when Nomapay refuses the payout', async () => {
    const activities = fakeActivities({ transferWallet: refusing(ErrorType.WalletRejected, 'WALLET_BLOCKED') });
    const args = input();
    const { failure } = await runToFailure(run, activities, args, ErrorType.WalletRejected, PayoutStatus.Compensated);
    expect(failure.message).toContain('WALLET_BLOCKED');
    expect((failure.details?.[0] as PayoutState).status).toBe(PayoutStatus.Compensated);
    expect(moneyCalls(activities)).toEqual([
      'checkBettorEligibility',
      'reservePayout',
      'transferWallet',
      'refundWalletTransfer',
      'releasePayout',
    ]);
    expect(activities.transferWallet).toHaveBeenCalledTimes(1); // a refusal is not retried
    expect(activities.recordOperation).not.toHaveBeenCalled();
  });

  it('refuses a payout the balance does not cover, before Nomapay is asked', async () => {
    const activities = fakeActivities({
      reservePayout: refusing(ErrorType.InsufficientBalance, 'INSUFFICIENT_BALANCE'),
      releasePayout: async () => 'NOTHING_TO_UNDO',
    });
    const { handle } = await runToFailure(
      run,
      activities,
      input(),
      ErrorType.InsufficientBalance,
      PayoutStatus.Refused,
    );
    expect(activities.transferWallet).not.toHaveBeenCalled();
    expect(activities.refundWalletTransfer).not.toHaveBeenCalled(); // its compensation was never pushed
    expect(activities.releasePayout).toHaveBeenCalledTimes(1);
    // COMPENSATING is journalled before the release runs, with the row the refused hold did not write.
    expect(activities.calls.filter((c) => c === 'recordSteps' || c === 'releasePayout')).toEqual([
      'recordSteps',
      'releasePayout',
    ]);
    expect(stepEvents(vi.mocked(activities.recordSteps).mock.calls[0]![0].steps)).toEqual([
      'RESERVING payout.bettor-eligible',
      'COMPENSATING payout.compensating',
    ]);
    expect(journalledStatuses(activities)).toEqual(['CHECKING_BETTOR', 'RESERVING', 'COMPENSATING', 'REFUSED']);
    expect((await historyShape(handle)).operationStatus).toEqual([PayoutStatus.Compensating, PayoutStatus.Refused]);
  });

  it('refuses a barred person at payout time, before anything moves', async () => {
    const activities = fakeActivities({ checkBettorEligibility: restricted('BARRED') });
    const args = input();
    await runToFailure(run, activities, args, ErrorType.BettorRestricted, PayoutStatus.Refused);
    expect(activities.checkBettorEligibility).toHaveBeenCalledWith({ iin: args.iin, purpose: 'PAYOUT' });
    expect(moneyCalls(activities)).toEqual(['checkBettorEligibility']);
  });

  it('fails loudly with CompensationFailed when the refund is refused, keeping the hold', async () => {
    const activities = fakeActivities({
      transferWallet: unreachable('nomapay timed out', '2 hours'),
      refundWalletTransfer: refusing(ErrorType.WalletRejected, 'INSUFFICIENT_FUNDS'),
    });
    await runToFailure(run, activities, input(), ErrorType.CompensationFailed, PayoutStatus.CompensationFailed);
    expect(activities.releasePayout).not.toHaveBeenCalled();
  });
});

describe('payout saga: completions', () => {
  it('pays out through Nomapay, posts the hold, records in ESU and reports the money paid to AFM', async () => {
    const activities = fakeActivities();
    const args = input();
    const { state, error, children } = await run(activities, args);
    expect(error).toBeUndefined();
    expect(state).toMatchObject({
      status: PayoutStatus.Completed,
      reservationId: `${args.payoutId}:payout`,
      walletTransferId: `pay-${args.payoutId}`,
      ledgerTransferId: `${args.payoutId}:payout`,
      esuReceipt: { receiptId: `ESU-pay-${args.payoutId}` },
      afmSubmissionId: `afm-pay-${args.payoutId}`,
    });
    expect(moneyCalls(activities)).toEqual([
      'checkBettorEligibility',
      'reservePayout',
      'transferWallet',
      'postPayout',
      'recordOperation',
      'sendMoneyFlowReport', // the AFM report's first round, from the last task's local activity
    ]);
    expect(activities.transferWallet).toHaveBeenCalledWith(walletTransferOf(args));
    expect(activities.recordOperation).toHaveBeenCalledWith({
      operationId: `pay-${args.payoutId}`,
      kind: 'PAYOUT',
      iin: args.iin,
      amountTiyn: 250_000,
      currency: 'KZT',
      occurredAt: NOW,
    });
    // Started by a local activity in the payout's last task (not a child): the submission lives on its own.
    expect(children).toEqual([]);
    expect(activities.sendMoneyFlowReport).toHaveBeenCalledTimes(1);
    expect(activities.sendMoneyFlowReport).toHaveBeenCalledWith(
      afmReport('PAYOUT', args.payoutId, { iin: args.iin, paidAt: NOW, paidTiyn: 250_000 }),
    );
    expect(journalledStatuses(activities)).toEqual([
      'CHECKING_BETTOR',
      'RESERVING',
      'PAYING_OUT',
      'POSTING',
      'RECORDING_IN_ESU',
      'REPORTING_TO_AFM',
      'COMPLETED',
    ]);
  });

  it('lets a self-excluded bettor withdraw their own balance', async () => {
    const activities = fakeActivities({ checkBettorEligibility: restricted('SELF_EXCLUDED') });
    await runToEnd(run, activities, input(), PayoutStatus.Completed);
    expect(activities.transferWallet).toHaveBeenCalledTimes(1);
  });

  it('retries a transient Nomapay fault and pays once', async () => {
    const activities = fakeActivities({ transferWallet: walletFlakyOnce() });
    await runToEnd(run, activities, input(), PayoutStatus.Completed);
    expect(activities.transferWallet).toHaveBeenCalledTimes(2);
    expect(activities.refundWalletTransfer).not.toHaveBeenCalled();
    expect(activities.releasePayout).not.toHaveBeenCalled();
  });

  it('keeps a payout whose ESU record is refused, hands the record to an ESU submission and still reports to AFM', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'INVALID_OPERATION') });
    const args = input();
    const { state, error, children } = await run(activities, args);
    expect(error).toBeUndefined();
    expect(state).toMatchObject({
      status: PayoutStatus.CompletedEsuPending,
      esuSubmissionId: `esu-pay-${args.payoutId}`,
      afmSubmissionId: `afm-pay-${args.payoutId}`,
    });
    expect(activities.releasePayout).not.toHaveBeenCalled();
    expect(activities.refundWalletTransfer).not.toHaveBeenCalled();
    // The ESU record's submission is a child started mid-saga; the AFM report starts from the last task's local activity.
    expect(children.map((c) => [c.workflowId, c.existed])).toEqual([[`Submission:esu-pay-${args.payoutId}`, true]]);
    expect(activities.sendMoneyFlowReport).toHaveBeenCalledWith(
      expect.objectContaining({
        submission: expect.objectContaining({ submissionId: `afm-pay-${args.payoutId}`, operationKind: 'PAYOUT' }),
      }),
    );
    expect(children[0]!.input).toMatchObject({
      operationKind: 'PAYOUT',
      payload: { counterpart: 'ESU', record: { kind: 'PAYOUT', operationId: `pay-${args.payoutId}` } },
      initialRejection: { code: 'INVALID_OPERATION' },
    });
  });

  it('starts and joins by payout id', async () => {
    const activities = fakeActivities();
    const request = payoutRequest({ amountTiyn: 1_000 });
    await withWorker(activities, async (taskQueue) => {
      const payouts = createBettingClient({ client: env.client, taskQueue, bettorRefKey: 'k' });
      const first = await payouts.startPayout(request);
      const done = await first.result();
      const again = await payouts.startPayout(request);
      expect(again.joined).toBe(true);
      expect(await again.result()).toEqual(done);
      await expect(payouts.startPayout({ ...request, amountTiyn: 2_000 })).rejects.toBeInstanceOf(
        IdempotencyConflictError,
      );
      await endChildren(env.client.workflow.getHandle(first.workflowId));
    });
    expect(activities.transferWallet).toHaveBeenCalledTimes(1);
  });
});

describe('payout saga: journal rows carried by the local activities it runs anyway', () => {
  it('journals each step with the registration, the hold, its posting and the outcome', async () => {
    const args = input();
    const { activities } = await expectJournalCarried(
      run,
      args,
      PayoutStatus.Completed,
      {
        registerOperation: [['CHECKING_BETTOR payout.received']],
        reservePayout: [['RESERVING payout.bettor-eligible', 'PAYING_OUT payout.amount-reserved']],
        postPayout: [['POSTING payout.wallet-paid', 'RECORDING_IN_ESU payout.posted']],
        finishOperation: [['REPORTING_TO_AFM payout.recorded-in-esu', 'COMPLETED payout.completed']],
      },
      ['checkBettorEligibility', 'transferWallet', 'recordOperation'],
    );
    expect(vi.mocked(activities.finishOperation).mock.calls[0]![0].steps![1]).toMatchObject({
      esuReceiptId: `ESU-pay-${args.payoutId}`,
      details: { afmSubmissionId: `afm-pay-${args.payoutId}` },
    });
  });
});

describe('deposit AFM report', () => {
  it('reports the money received to AFM once a deposit completes', async () => {
    const activities = fakeActivities();
    const args = depositInput();
    const { state, children } = await runDeposit(activities, args);
    expect(state).toMatchObject({ status: DepositStatus.Completed, afmSubmissionId: `afm-dep-${args.depositId}` });
    // Started by a local activity in the deposit's last task (not a child): the submission lives on its own.
    expect(children).toEqual([]);
    expect(activities.sendMoneyFlowReport).toHaveBeenCalledTimes(1);
    expect(activities.sendMoneyFlowReport).toHaveBeenCalledWith(
      afmReport('DEPOSIT', args.depositId, { iin: args.iin, receivedAt: NOW, receivedTiyn: 500_000 }),
    );
  });

  it('does not report a deposit that was reversed', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'LIMIT_EXCEEDED') });
    const args = depositInput();
    const { error, children } = await runDeposit(activities, args);
    expect(failureOf(error).type).toBe(ErrorType.EsuRejected);
    expect(children).toEqual([]);
    expect(activities.sendMoneyFlowReport).not.toHaveBeenCalled();
  });
});
