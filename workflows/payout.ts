import { ApplicationFailure, defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { NomapayActivities } from '../activities/nomapay.js';
import type { BettingLedgerActivities } from '../activities/betting-ledger.js';
import { PayoutInput, PayoutStatus, payoutRefused, type PayoutState } from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import type { EsuOperationRequest } from '../domain/wire/esu.js';
import type { WalletTransferDone } from '../domain/wire/nomapay.js';
import { counterpartOperationId } from '../domain/ids.js';
import { recordMovedMoneyInEsu, reportMoneyFlowToAfm } from './afm-report.js';
import { Compensations, compensateAndFail } from './saga.js';
import { asRegisteredOperation, stepJournal } from './money-steps.js';
import { describeFailure, parseInput } from './failures.js';
import { compensation, ledger } from './policies.js';
import * as policies from './policies.js';

export const getPayoutStatusQuery = defineQuery<PayoutState>('getStatus');

/** How long Nomapay may stay unreachable before a payout gives up, refunds what may have left and releases the hold. */
export const NOMAPAY_PAYOUT_DEADLINE = '1 hour';

const { nonRetryableErrorTypes } = policies;

const register = proxyActivities<EsuActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

// After the money left there is nothing to undo: ESU is retried until it answers; a refusal becomes a submission.
const esu = proxyActivities<EsuActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
});

const wallet = proxyActivities<NomapayActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: NOMAPAY_PAYOUT_DEADLINE,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

/**
 * A payout from the betting account to the bettor's e-wallet (`Payout:<payoutId>`): check the register again →
 * hold the amount (pending) → Nomapay pays it → post the hold and count it as paid (AFM order No. 9, item 4(6)) → record in
 * ESU → report the money paid to AFM (AFM order No. 9, annex 2 items 4–5). A Nomapay refusal, or Nomapay unreachable
 * past its deadline, refunds whatever may have left and releases the hold. Once the money is with the bettor an
 * ESU refusal does not undo it: the record goes to an ESU submission and the payout ends COMPLETED_ESU_PENDING.
 */
export async function payout(rawInput: PayoutInput): Promise<PayoutState> {
  const state: PayoutState = {
    payoutId: rawInput.payoutId,
    status: PayoutStatus.Received,
    amountTiyn: rawInput.amountTiyn,
    compensations: [],
  };
  setHandler(getPayoutStatusQuery, () => state);
  const input = parseInput(PayoutInput, rawInput, 'payout', state, PayoutStatus.Refused);
  // Runs recorded before the operation registry replay as they ran: no registration, the raw id at every counterpart.
  if (!patched('operation-registry')) return payoutSaga(state, input, input.payoutId);
  const { bettorRef, ...request } = input;
  return asRegisteredOperation(
    { kind: 'PAYOUT', operationId: input.payoutId, request, bettorRef, state, refusedStatus: PayoutStatus.Refused },
    () => payoutSaga(state, input, counterpartOperationId('PAYOUT', input.payoutId)),
  );
}

/** The payout's steps. `counterpartId` is its transfer id at Nomapay and operation id at ESU (`pay-<payoutId>`). */
async function payoutSaga(state: PayoutState, input: PayoutInput, counterpartId: string): Promise<PayoutState> {
  const advance = stepJournal(state, 'PAYOUT', () => ({
    operationId: input.payoutId,
    bettorRef: input.bettorRef,
    amountTiyn: input.amountTiyn,
  }));

  await advance(PayoutStatus.CheckingBettor, 'payout.received');
  const eligibility = await register.checkBettorEligibility({ iin: input.iin, purpose: 'PAYOUT' });
  if (payoutRefused(eligibility)) {
    state.failure = {
      type: ErrorType.BettorRestricted,
      message: `ESU register refuses a payout to this bettor: ${eligibility.reason ?? 'no reason given'}`,
    };
    await advance(PayoutStatus.Refused, 'payout.refused', { result: 'REFUSED', failure: state.failure });
    throw ApplicationFailure.create({
      message: state.failure.message,
      type: state.failure.type,
      nonRetryable: true,
      details: [state],
    });
  }

  const compensations = new Compensations();
  let transfer: WalletTransferDone;
  try {
    await advance(
      PayoutStatus.Reserving,
      'payout.bettor-eligible',
      eligibility.eligible ? {} : { details: { restriction: eligibility.reason } },
    );
    // Pushed before the call: a reservation that timed out may still have landed (else "nothing to undo").
    compensations.push('release-reservation', () =>
      compensation.releasePayout({ payoutId: input.payoutId, bettorRef: input.bettorRef }),
    );
    const reservation = await ledger.reservePayout({
      payoutId: input.payoutId,
      bettorRef: input.bettorRef,
      amountTiyn: input.amountTiyn,
    });
    state.reservationId = reservation.reservationId;

    await advance(PayoutStatus.PayingOut, 'payout.amount-reserved');
    // Pushed before the call: a transfer that timed out may have happened. The refund asks Nomapay first and
    // answers "nothing to undo" when Nomapay never made it.
    // A transfer under this id that is not this payment (another operation's) is never refunded: NOT_OURS.
    const expected = { iin: input.iin, direction: 'BOOKMAKER_TO_BETTOR', amountTiyn: input.amountTiyn } as const;
    compensations.push('refund-wallet', () =>
      compensation.refundWalletTransfer({ transferId: counterpartId, reason: 'payout not completed', expected }),
    );
    transfer = await wallet.transferWallet({ transferId: counterpartId, ...expected, currency: input.currency });
    state.walletTransferId = transfer.transferId;
  } catch (err) {
    const { type, message } = describeFailure(err);
    const refused = type === ErrorType.InsufficientBalance; // nothing was ever held
    return compensateAndFail({
      err,
      failure: { type, message },
      state,
      compensations,
      advance,
      compensating: [PayoutStatus.Compensating, 'payout.compensating'],
      compensationFailed: [PayoutStatus.CompensationFailed, 'payout.compensation-failed'],
      compensated: refused
        ? [PayoutStatus.Refused, 'payout.refused', 'REFUSED']
        : [PayoutStatus.Compensated, 'payout.compensated', 'COMPENSATED'],
      message: `payout ${input.payoutId} was not made: ${message}`,
    });
  }

  // The money is with the bettor: from here every step is retried until it lands, never compensated.
  await advance(PayoutStatus.Posting, 'payout.wallet-paid');
  state.ledgerTransferId = (
    await ledger.postPayout({ payoutId: input.payoutId, bettorRef: input.bettorRef })
  ).transferId;

  await advance(PayoutStatus.RecordingInEsu, 'payout.posted');
  const record: EsuOperationRequest = {
    operationId: counterpartId,
    kind: 'PAYOUT',
    iin: input.iin,
    amountTiyn: input.amountTiyn,
    currency: input.currency,
    occurredAt: transfer.completedAt,
  };
  const recorded = await recordMovedMoneyInEsu(esu.recordOperation, {
    operationId: input.payoutId,
    operationKind: 'PAYOUT',
    bettorRef: input.bettorRef,
    record,
  });
  if ('receipt' in recorded) state.esuReceipt = recorded.receipt;
  else ({ esuSubmissionId: state.esuSubmissionId, failure: state.failure } = recorded);
  const finalStatus: PayoutStatus = state.esuReceipt ? PayoutStatus.Completed : PayoutStatus.CompletedEsuPending;

  await advance(PayoutStatus.ReportingToAfm, state.esuReceipt ? 'payout.recorded-in-esu' : 'payout.esu-refused', {
    ...(state.esuReceipt ? { esuReceiptId: state.esuReceipt.receiptId } : { result: 'FAILED', failure: state.failure }),
  });
  state.afmSubmissionId = await reportMoneyFlowToAfm({
    operationId: input.payoutId,
    counterpartId,
    operationKind: 'PAYOUT',
    bettorRef: input.bettorRef,
    record: { iin: input.iin, paidAt: transfer.completedAt, paidTiyn: input.amountTiyn },
  });
  await advance(
    finalStatus,
    finalStatus === PayoutStatus.Completed ? 'payout.completed' : 'payout.completed-esu-pending',
    {
      ...(state.esuReceipt ? { esuReceiptId: state.esuReceipt.receiptId } : {}),
      details: {
        afmSubmissionId: state.afmSubmissionId,
        ...(state.esuSubmissionId ? { esuSubmissionId: state.esuSubmissionId } : {}),
      },
    },
  );
  return state;
}
