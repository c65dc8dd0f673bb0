import { defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { NomapayActivities } from '../activities/nomapay.js';
import { DepositInput, DepositStatus, type DepositState } from '../domain/deposit.js';
import { ErrorType } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { underageRefusal } from '../domain/bettor-age.js';
import { Compensations } from './saga.js';
import {
  AFM_FIRST_ROUND_IN_SAGA_PATCH,
  reportMoneyFlowToAfm,
  reportMoneyFlowToAfmAtEnd,
  sendMoneyFlowReportAtEnd,
  type MoneyFlowReport,
} from './afm-report.js';
import { identificationRefusal, registrationOf, runMoneySaga } from './money-steps.js';
import { parseInput, type Failure } from './failures.js';
import { journalling, undo, type SagaShape, type Step } from './step-journal.js';
import { compensation, COUNTERPART_CALL, counterpartRetry } from './policies.js';

export const getDepositStatusQuery = defineQuery<DepositState>('getStatus');

/** How long ESU may stay unreachable before a deposit gives up and refunds (ESU's receipt is the proof of recording). */
export const ESU_RECORDING_DEADLINE = '24 hours';

const esu = proxyActivities<EsuActivities>({
  startToCloseTimeout: COUNTERPART_CALL,
  scheduleToCloseTimeout: ESU_RECORDING_DEADLINE,
  retry: counterpartRetry('1 minute'),
});

const wallet = proxyActivities<NomapayActivities>({
  startToCloseTimeout: COUNTERPART_CALL,
  scheduleToCloseTimeout: '1 hour',
  retry: counterpartRetry('1 minute'),
});

/** The statuses a deposit shows as OperationStatus (lean shape): where it ended, and a compensation under way. */
const VISIBLE = new Set<string>([
  DepositStatus.Compensating,
  DepositStatus.Compensated,
  DepositStatus.CompensationFailed,
  DepositStatus.Completed,
  DepositStatus.Refused,
]);

type State = DepositState & { afmSubmissionId?: string };

/**
 * A bettor's deposit: check the bettor may play → debit the e-wallet at Nomapay → credit the betting
 * account in the ledger → record the operation in ESU and keep its receipt. An ESU refusal (or ESU
 * unreachable past its deadline) reverses the ledger credit and refunds the wallet.
 */
export async function deposit(rawInput: DepositInput): Promise<DepositState> {
  // afmSubmissionId: the AFM report of the money received (AFM order No. 9, annex 2 items 2–3), once completed.
  const state: State = {
    depositId: rawInput.depositId,
    status: DepositStatus.Received,
    amountTiyn: rawInput.amountTiyn,
    compensations: [],
  };
  setHandler(getDepositStatusQuery, () => state);
  const input = parseInput(DepositInput, rawInput, 'deposit', state, DepositStatus.Refused);
  return runMoneySaga({
    patch: 'lean-steps',
    registration: registrationOf('DEPOSIT', input.depositId, input, state, DepositStatus.Refused),
    subject: () => ({ operationId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn }),
    visible: VISIBLE,
    received: (steps) => steps.step(DepositStatus.CheckingBettor, 'deposit.received'),
    ids: { registered: counterpartOperationId('DEPOSIT', input.depositId), unregistered: input.depositId },
    steps: (shape, counterpartId) =>
      depositSteps(state, input, {
        ...shape,
        counterpartId,
        // Added after histories were recorded (test/replay): older runs replay without the gate and the report.
        gated: shape.lean ? () => true : () => patched('identification-gate'),
        reportToAfm: shape.lean
          ? (report) =>
              patched(AFM_FIRST_ROUND_IN_SAGA_PATCH)
                ? sendMoneyFlowReportAtEnd(report)
                : reportMoneyFlowToAfmAtEnd(report)
          : async (report) => (patched('afm-report') ? reportMoneyFlowToAfm(report) : undefined),
      }),
  });
}

/** How one run of the deposit's steps goes: the per-step shape or the lean one. */
interface DepositShape extends SagaShape<DepositStatus> {
  /** The deposit's transfer id at Nomapay and operation id at ESU (`dep-<depositId>`; the raw id before the registry). */
  counterpartId: string;
  /** Whether the identification gate runs (patched in after the first histories were recorded). */
  gated: () => boolean;
  /** Starts the AFM report (a child per step, a local activity in the last task lean); undefined before it. */
  reportToAfm: (report: MoneyFlowReport) => Promise<string | undefined>;
}

/**
 * The deposit's steps, in either shape. Lean, one workflow task per counterpart call: journal rows go with the
 * registration, the identification gate, the ledger credit (a local activity: posting and rows in one
 * transaction) and the outcome; the AFM report starts with the last task.
 */
async function depositSteps(state: State, input: DepositInput, shape: DepositShape): Promise<State> {
  const { counterpartId, steps, ledger } = shape;
  const refused = (failure: Failure) => steps.refuse(DepositStatus.Refused, 'deposit.refused', failure);
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  if (underage) return refused(underage);
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'DEPOSIT' });
  if (!eligibility.eligible) return refused(registerRefusal(eligibility.reason));
  const eligible: Step<DepositStatus> = [DepositStatus.DebitingWallet, 'deposit.bettor-eligible'];
  if (shape.gated()) {
    const notIdentified = await steps.carry(
      (rows) => identificationRefusal(input.bettorRef, rows),
      eligible,
      (refusal) => !refusal,
    );
    if (notIdentified) return refused(notIdentified);
  } else await steps.step(...eligible);

  const compensations = new Compensations();
  let receivedAt = '';
  try {
    const transfer = { iin: input.iin, direction: 'BETTOR_TO_BOOKMAKER', amountTiyn: input.amountTiyn } as const;
    // Pushed before the call: a debit that timed out may still have happened (refund is "nothing to undo" otherwise),
    // and a transfer under this id that is not this debit is never refunded (NOT_OURS).
    compensations.push('refund-wallet', () =>
      compensation.refundWalletTransfer({
        transferId: counterpartId,
        reason: 'deposit not recorded by ESU',
        expected: transfer,
      }),
    );
    const debit = await wallet.transferWallet({ transferId: counterpartId, ...transfer, currency: input.currency });
    state.walletTransferId = debit.transferId;
    receivedAt = debit.completedAt;

    await steps.step(DepositStatus.CreditingAccount, 'deposit.wallet-debited');
    const posting = { depositId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn };
    compensations.push('reverse-ledger-credit', () => compensation.reverseDepositCredit(posting));
    const credit = await steps.carry(
      (rows) => ledger.creditDeposit({ ...posting, ...journalling(rows) }),
      [DepositStatus.RecordingInEsu, 'deposit.account-credited'],
    );
    state.ledgerTransferId = credit.transferId;

    state.esuReceipt = await esu.recordOperation({
      operationId: counterpartId,
      kind: 'DEPOSIT',
      iin: input.iin,
      amountTiyn: input.amountTiyn,
      currency: input.currency,
      occurredAt: debit.completedAt,
    });
  } catch (err) {
    return undo(err, {
      state,
      compensations,
      steps,
      compensating: [DepositStatus.Compensating, 'deposit.compensating'],
      compensationFailed: [DepositStatus.CompensationFailed, 'deposit.compensation-failed'],
      compensated: [DepositStatus.Compensated, 'deposit.compensated'],
      message: (reason) => `deposit ${input.depositId} was not completed and has been reversed: ${reason}`,
    });
  }

  // The money received from the bettor goes to AFM (AFM order No. 9, annex 2 items 2–3).
  const afmSubmissionId = await shape.reportToAfm({
    operationId: input.depositId,
    counterpartId,
    operationKind: 'DEPOSIT',
    bettorRef: input.bettorRef,
    record: { iin: input.iin, receivedAt, receivedTiyn: input.amountTiyn },
  });
  if (afmSubmissionId) state.afmSubmissionId = afmSubmissionId;
  await steps.step(DepositStatus.Completed, 'deposit.completed', { esuReceiptId: state.esuReceipt.receiptId });
  return state;
}

const registerRefusal = (reason: string | undefined): Failure => ({
  type: ErrorType.BettorRestricted,
  message: `ESU register refuses this bettor: ${reason}`,
});
