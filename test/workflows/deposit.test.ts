import { describe, expect, it, vi } from 'vitest';
import { DepositStatus } from '../../domain/deposit.js';
import type { SubmissionInput } from '../../domain/submission.js';
import { ErrorType } from '../../domain/errors.js';
import { env, useTimeSkipping } from '../support/workflows.js';
import { depositFakes, fakeRegistry, NOW, tracking, type DepositActivities } from './betting-fakes.js';
import {
  depositInput as input,
  expectInvalidInputRefused,
  expectUnder21Refused,
  runToEnd,
  runToFailure,
  walletRefundOf,
  walletTransferOf,
  failureOf,
  journalledStatuses,
  moneyCalls,
  refusing,
  restricted,
  runDeposit,
  unreachable,
  walletFlakyOnce,
} from '../support/wf-money.js';

type Activities = DepositActivities;

useTimeSkipping();

/** Fakes that succeed; each test overrides what it needs. Typed so a signature change breaks the test. */
function fakeActivities(overrides: Partial<Activities> = {}): Activities & { calls: string[] } {
  return tracking<Activities>({
    ...depositFakes(),
    recordOperation: async (req) => ({ receiptId: 'ESU-1', operationId: req.operationId, recordedAt: NOW }),
    refundWalletTransfer: async () => 'REFUNDED',
    ...fakeRegistry(),
    ...overrides,
  });
}

/** The AFM report's first round (a local activity of the saga's last task): the submission itself is not under test here. */
const submissionStarts = {
  sendMoneyFlowReport: vi.fn(async ({ submission }: { submission: SubmissionInput; queuedAt: string }) => ({
    submissionId: submission.submissionId,
    status: 'ACKNOWLEDGED' as const,
    started: true,
  })),
};

// A completed deposit starts its AFM submission (on accepting fakes): runWorkflow ends it while the worker runs, so no
// task of it is cut off mid-flight, which would hold the time-skipping clock for the rest of the file.
const run: typeof runDeposit = (activities, args) => runDeposit({ ...submissionStarts, ...activities }, args);

describe('deposit saga', () => {
  it('debits the wallet, credits the betting account, records in ESU and keeps the receipt', async () => {
    const activities = fakeActivities();
    const args = input();
    const { state } = await runToEnd(run, activities, args, DepositStatus.Completed);
    expect(state?.esuReceipt).toEqual({ receiptId: 'ESU-1', operationId: `dep-${args.depositId}`, recordedAt: NOW });
    expect(moneyCalls(activities)).toEqual([
      'checkBettorEligibility',
      'checkBettorIdentified',
      'transferWallet',
      'creditDeposit',
      'recordOperation',
    ]);
    expect(activities.transferWallet).toHaveBeenCalledWith(walletTransferOf(args));
    // ESU gets the time Nomapay says the money moved, not a clock reading of ours.
    expect(activities.recordOperation).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'DEPOSIT', occurredAt: NOW }),
    );
    expect(journalledStatuses(activities)).toEqual([
      'CHECKING_BETTOR',
      'DEBITING_WALLET',
      'CREDITING_ACCOUNT',
      'RECORDING_IN_ESU',
      'COMPLETED',
    ]);
    // The money received goes to AFM under the id derived from the deposit, started by the saga's last task.
    expect(submissionStarts.sendMoneyFlowReport).toHaveBeenCalledWith({
      submission: expect.objectContaining({
        submissionId: `afm-dep-${args.depositId}`,
        operationKind: 'DEPOSIT',
        payload: { counterpart: 'AFM', record: { iin: args.iin, receivedAt: NOW, receivedTiyn: 500_000 } },
      }),
      queuedAt: expect.any(String),
    });
    expect((state as { afmSubmissionId?: string } | undefined)?.afmSubmissionId).toBe(`afm-dep-${args.depositId}`);
  });

  it('reverses the credit and refunds the wallet, in that order, when ESU rejects', async () => {
    const activities = fakeActivities({ recordOperation: refusing(ErrorType.EsuRejected, 'LIMIT_EXCEEDED') });
    const args = input();
    const { error, finalStatus: state } = await run(activities, args);
    const failure = failureOf(error);
    expect(failure.type).toBe(ErrorType.EsuRejected);
    expect(moneyCalls(activities).slice(-2)).toEqual(['reverseDepositCredit', 'refundWalletTransfer']);
    // Only the transfer this deposit made may be refunded: direction, amount and bettor go with the refund.
    expect(activities.refundWalletTransfer).toHaveBeenCalledWith(walletRefundOf(args, 'deposit not recorded by ESU'));
    expect(state.status).toBe(DepositStatus.Compensated);
    expect(state.compensations).toEqual(['reverse-ledger-credit', 'refund-wallet']);
    expect(vi.mocked(activities.recordOperation)).toHaveBeenCalledTimes(1); // a refusal is not retried
  });

  it('refuses a bettor under 21 on its own, before ESU or Nomapay is asked', async () => {
    // ESU's register would let this bettor through.
    await expectUnder21Refused(run, input, fakeActivities(), DepositStatus.Refused);
  });

  it('refuses a restricted bettor before any money moves', async () => {
    const activities = fakeActivities({ checkBettorEligibility: restricted('SELF_EXCLUDED') });
    const { error } = await run(activities, input());
    expect(failureOf(error).type).toBe(ErrorType.BettorRestricted);
    expect(activities.transferWallet).not.toHaveBeenCalled();
    expect(activities.creditDeposit).not.toHaveBeenCalled();
  });

  it('refuses a bettor never identified through Nomapay before any money moves', async () => {
    const activities = fakeActivities({ checkBettorIdentified: async () => ({ allowed: false, status: 'UNKNOWN' }) });
    const { failure } = await runToFailure(
      run,
      activities,
      input(),
      ErrorType.BettorNotIdentified,
      DepositStatus.Refused,
    );
    expect(failure.message).toContain('has not been identified');
    expect(activities.transferWallet).not.toHaveBeenCalled();
    expect(activities.creditDeposit).not.toHaveBeenCalled();
  });

  it('retries a transient wallet fault and debits once', async () => {
    const activities = fakeActivities({ transferWallet: walletFlakyOnce() });
    await runToEnd(run, activities, input(), DepositStatus.Completed);
    expect(activities.transferWallet).toHaveBeenCalledTimes(2);
    expect(activities.refundWalletTransfer).not.toHaveBeenCalled();
  });

  it('refunds a wallet debit whose outcome is unknown when the wallet stays down past its deadline', async () => {
    const activities = fakeActivities({ transferWallet: unreachable('nomapay timed out', '20 minutes') });
    const { error } = await run(activities, input());
    expect(failureOf(error).type).toBe(ErrorType.CounterpartUnavailable);
    // The refund was pushed before the debit: it runs (and the connector answers NOTHING_TO_UNDO if no debit landed).
    expect(activities.refundWalletTransfer).toHaveBeenCalledTimes(1);
    expect(activities.reverseDepositCredit).not.toHaveBeenCalled();
  });

  it('keeps waiting for ESU with backoff, then compensates once ESU has been unreachable for 24 hours', async () => {
    const activities = fakeActivities({ recordOperation: unreachable('esu 503', '5 hours') });
    const started = await env.currentTimeMs();
    const { error } = await run(activities, input());
    expect(failureOf(error).type).toBe(ErrorType.CounterpartUnavailable);
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(20 * 3600_000);
    expect(vi.mocked(activities.recordOperation).mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(activities.reverseDepositCredit).toHaveBeenCalledTimes(1);
    expect(activities.refundWalletTransfer).toHaveBeenCalledTimes(1);
  });

  it('fails loudly with CompensationFailed when a refund is refused', async () => {
    const activities = fakeActivities({
      recordOperation: refusing(ErrorType.EsuRejected, 'INVALID_OPERATION'),
      refundWalletTransfer: refusing(ErrorType.WalletRejected, 'WALLET_BLOCKED'),
    });
    const { finalStatus } = await runToFailure(
      run,
      activities,
      input(),
      ErrorType.CompensationFailed,
      DepositStatus.CompensationFailed,
    );
    expect(finalStatus.compensations).toEqual(['reverse-ledger-credit']);
  });

  it('rejects invalid input with the field named, before any activity', async () => {
    await expectInvalidInputRefused(run, input({ amountTiyn: 12.5 }), fakeActivities(), 'amountTiyn');
  });
});
