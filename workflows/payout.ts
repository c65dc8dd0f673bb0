import { defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { NomapayActivities } from '../activities/nomapay.js';
import { PayoutInput, PayoutStatus, payoutRefused, type PayoutState } from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import type { EsuOperationRequest } from '../domain/wire/esu.js';
import type { WalletTransferDone } from '../domain/wire/nomapay.js';
import { counterpartOperationId } from '../domain/ids.js';
import {
  recordMovedMoneyInEsu,
  reportMoneyFlowToAfm,
  reportMoneyFlowToAfmAtEnd,
  sendMoneyFlowReportAtEnd,
  AFM_FIRST_ROUND_IN_SAGA_PATCH,
  type MoneyFlowReport,
} from './afm-report.js';
import { Compensations } from './saga.js';
import { registrationOf, runMoneySaga } from './money-steps.js';
import { parseInput } from './failures.js';
import { compensation } from './policies.js';
import { journalling, undo, type SagaShape } from './step-journal.js';
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

/** The statuses a payout shows as OperationStatus (lean shape): where it ended, and a compensation under way. */
const VISIBLE = new Set<string>([
  PayoutStatus.Completed,
  PayoutStatus.CompletedEsuPending,
  PayoutStatus.Compensating,
  PayoutStatus.Compensated,
  PayoutStatus.CompensationFailed,
  PayoutStatus.Refused,
]);

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
  return runMoneySaga({
    patch: 'lean-payout',
    registration: registrationOf('PAYOUT', input.payoutId, input, state, PayoutStatus.Refused),
    subject: () => ({ operationId: input.payoutId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn }),
    visible: VISIBLE,
    received: (steps) => steps.step(PayoutStatus.CheckingBettor, 'payout.received'),
    ids: { registered: counterpartOperationId('PAYOUT', input.payoutId), unregistered: input.payoutId },
    steps: (shape, counterpartId) =>
      payoutSteps(state, input, {
        ...shape,
        counterpartId,
        reportToAfm: shape.lean
          ? (report) =>
              patched(AFM_FIRST_ROUND_IN_SAGA_PATCH)
                ? sendMoneyFlowReportAtEnd(report)
                : reportMoneyFlowToAfmAtEnd(report)
          : reportMoneyFlowToAfm,
      }),
  });
}

/** How one run of the payout's steps goes: the per-step shape or the lean one. */
interface PayoutShape extends SagaShape<PayoutStatus> {
  /** The payout's transfer id at Nomapay and operation id at ESU (`pay-<payoutId>`; the raw id before the registry). */
  counterpartId: string;
  /** Starts the AFM report: a child (per-step shape) or from a local activity in the last task (lean). */
  reportToAfm: (report: MoneyFlowReport) => Promise<string>;
}

/**
 * The payout's steps, in either shape. Lean, one workflow task per counterpart call: journal rows go with the
 * registration, the hold and its posting (local activities: ledger and rows in one transaction) and the
 * outcome; the AFM report starts with the last task.
 */
async function payoutSteps(state: PayoutState, input: PayoutInput, shape: PayoutShape): Promise<PayoutState> {
  const { counterpartId, steps, ledger } = shape;
  const eligibility = await register.checkBettorEligibility({ iin: input.iin, purpose: 'PAYOUT' });
  if (payoutRefused(eligibility)) {
    return steps.refuse(PayoutStatus.Refused, 'payout.refused', {
      type: ErrorType.BettorRestricted,
      message: `ESU register refuses a payout to this bettor: ${eligibility.reason ?? 'no reason given'}`,
    });
  }

  const compensations = new Compensations();
  let transfer: WalletTransferDone;
  try {
    await steps.step(
      PayoutStatus.Reserving,
      'payout.bettor-eligible',
      eligibility.eligible ? {} : { details: { restriction: eligibility.reason } },
    );
    const hold = { payoutId: input.payoutId, bettorRef: input.bettorRef };
    // Pushed before the call: a reservation that timed out may still have landed (else "nothing to undo").
    compensations.push('release-reservation', () => compensation.releasePayout(hold));
    const reservation = await steps.carry(
      (rows) => ledger.reservePayout({ ...hold, amountTiyn: input.amountTiyn, ...journalling(rows) }),
      [PayoutStatus.PayingOut, 'payout.amount-reserved'],
    );
    state.reservationId = reservation.reservationId;

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
    return undo(err, {
      state,
      compensations,
      steps,
      compensating: [PayoutStatus.Compensating, 'payout.compensating'],
      compensationFailed: [PayoutStatus.CompensationFailed, 'payout.compensation-failed'],
      compensated: [PayoutStatus.Compensated, 'payout.compensated'],
      refused: [PayoutStatus.Refused, 'payout.refused'],
      message: (reason) => `payout ${input.payoutId} was not made: ${reason}`,
    });
  }

  // The money is with the bettor: from here every step is retried until it lands, never compensated.
  await steps.step(PayoutStatus.Posting, 'payout.wallet-paid');
  const posted = await steps.carry(
    (rows) => ledger.postPayout({ payoutId: input.payoutId, bettorRef: input.bettorRef, ...journalling(rows) }),
    [PayoutStatus.RecordingInEsu, 'payout.posted'],
  );
  state.ledgerTransferId = posted.transferId;

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

  await steps.step(PayoutStatus.ReportingToAfm, state.esuReceipt ? 'payout.recorded-in-esu' : 'payout.esu-refused', {
    ...(state.esuReceipt ? { esuReceiptId: state.esuReceipt.receiptId } : { result: 'FAILED', failure: state.failure }),
  });
  // The money paid to the bettor goes to AFM (AFM order No. 9, annex 2 items 4–5).
  state.afmSubmissionId = await shape.reportToAfm({
    operationId: input.payoutId,
    counterpartId,
    operationKind: 'PAYOUT',
    bettorRef: input.bettorRef,
    record: { iin: input.iin, paidAt: transfer.completedAt, paidTiyn: input.amountTiyn },
  });
  await steps.step(
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
