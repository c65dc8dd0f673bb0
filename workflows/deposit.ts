import { defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { NomapayActivities } from '../activities/nomapay.js';
import { DepositInput, DepositStatus, type DepositState } from '../domain/deposit.js';
import { ErrorType } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { underageRefusal } from '../domain/bettor-age.js';
import { Compensations, compensateAndFail } from './saga.js';
import { reportMoneyFlowToAfm, reportMoneyFlowToAfmAtEnd } from './afm-report.js';
import { asRegisteredOperation, identificationRefusal, StepQueue, stepJournal } from './money-steps.js';
import { describeFailure, parseInput, refuse, type Failure } from './failures.js';
import { compensation, COUNTERPART_CALL, counterpartRetry, ledger, localLedger } from './policies.js';

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
  const { bettorRef, ...request } = input;
  // Today's shape: journal rows carried by the local activities the deposit runs anyway (docs/operation-cost.md).
  if (patched('lean-steps')) {
    const steps = new StepQueue(
      state,
      'DEPOSIT',
      () => ({ operationId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn }),
      VISIBLE,
    );
    steps.advance(DepositStatus.CheckingBettor, 'deposit.received');
    return asRegisteredOperation(
      {
        kind: 'DEPOSIT',
        operationId: input.depositId,
        request,
        bettorRef,
        state,
        refusedStatus: DepositStatus.Refused,
        steps,
      },
      () => leanDepositSaga(state, input, steps),
    );
  }
  // Runs recorded before the operation registry replay as they ran: no registration, the raw id at every counterpart.
  if (!patched('operation-registry')) return depositSaga(state, input, input.depositId);
  return asRegisteredOperation(
    { kind: 'DEPOSIT', operationId: input.depositId, request, bettorRef, state, refusedStatus: DepositStatus.Refused },
    () => depositSaga(state, input, counterpartOperationId('DEPOSIT', input.depositId)),
  );
}

/** The deposit's steps. `counterpartId` is its transfer id at Nomapay and operation id at ESU (`dep-<depositId>`). */
async function depositSaga(state: State, input: DepositInput, counterpartId: string): Promise<DepositState> {
  const advance = stepJournal(state, 'DEPOSIT', () => ({
    operationId: input.depositId,
    bettorRef: input.bettorRef,
    amountTiyn: input.amountTiyn,
  }));

  await advance(DepositStatus.CheckingBettor, 'deposit.received');
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  const refused = async (failure: Failure): Promise<never> => {
    state.failure = failure;
    await advance(DepositStatus.Refused, 'deposit.refused', { result: 'REFUSED', failure });
    return refuse(failure, state);
  };
  if (underage) return refused(underage);
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'DEPOSIT' });
  if (!eligibility.eligible) return refused(registerRefusal(eligibility.reason));
  // Added after histories were recorded (test/replay): older runs replay without the gate.
  if (patched('identification-gate')) {
    const notIdentified = await identificationRefusal(input.bettorRef);
    if (notIdentified) return refused(notIdentified);
  }

  const compensations = new Compensations();
  let receivedAt = '';
  try {
    await advance(DepositStatus.DebitingWallet, 'deposit.bettor-eligible');
    const walletTransferId = counterpartId;
    const transfer = { iin: input.iin, direction: 'BETTOR_TO_BOOKMAKER', amountTiyn: input.amountTiyn } as const;
    // Pushed before the call: a debit that timed out may still have happened (refund is "nothing to undo" otherwise),
    // and a transfer under this id that is not this debit is never refunded (NOT_OURS).
    compensations.push('refund-wallet', () =>
      compensation.refundWalletTransfer({
        transferId: walletTransferId,
        reason: 'deposit not recorded by ESU',
        expected: transfer,
      }),
    );
    const debit = await wallet.transferWallet({ transferId: walletTransferId, ...transfer, currency: input.currency });
    state.walletTransferId = debit.transferId;
    receivedAt = debit.completedAt;

    await advance(DepositStatus.CreditingAccount, 'deposit.wallet-debited');
    compensations.push('reverse-ledger-credit', () =>
      compensation.reverseDepositCredit({
        depositId: input.depositId,
        bettorRef: input.bettorRef,
        amountTiyn: input.amountTiyn,
      }),
    );
    const credit = await ledger.creditDeposit({
      depositId: input.depositId,
      bettorRef: input.bettorRef,
      amountTiyn: input.amountTiyn,
    });
    state.ledgerTransferId = credit.transferId;

    await advance(DepositStatus.RecordingInEsu, 'deposit.account-credited');
    state.esuReceipt = await esu.recordOperation({
      operationId: counterpartId,
      kind: 'DEPOSIT',
      iin: input.iin,
      amountTiyn: input.amountTiyn,
      currency: input.currency,
      occurredAt: debit.completedAt,
    });
  } catch (err) {
    return compensateAndFail(depositReversal(err, state, compensations, input, advance));
  }

  // Patched in: runs recorded before the AFM report replay without it (test/replay/histories).
  if (patched('afm-report')) {
    state.afmSubmissionId = await reportMoneyFlowToAfm({
      operationId: input.depositId,
      counterpartId,
      operationKind: 'DEPOSIT',
      bettorRef: input.bettorRef,
      record: { iin: input.iin, receivedAt, receivedTiyn: input.amountTiyn },
    });
  }
  await advance(DepositStatus.Completed, 'deposit.completed', { esuReceiptId: state.esuReceipt.receiptId });
  return state;
}

const registerRefusal = (reason: string | undefined): Failure => ({
  type: ErrorType.BettorRestricted,
  message: `ESU register refuses this bettor: ${reason}`,
});

function depositReversal(
  err: unknown,
  state: State,
  compensations: Compensations,
  input: DepositInput,
  advance: (
    status: DepositStatus,
    event: string,
    extra: { result: 'FAILED' | 'COMPENSATED' | 'REFUSED'; failure: Failure },
  ) => Promise<void>,
) {
  const { type, message } = describeFailure(err);
  return {
    err,
    failure: { type, message },
    state,
    compensations,
    advance,
    compensating: [DepositStatus.Compensating, 'deposit.compensating'] as [DepositStatus, string],
    compensationFailed: [DepositStatus.CompensationFailed, 'deposit.compensation-failed'] as [DepositStatus, string],
    compensated: [DepositStatus.Compensated, 'deposit.compensated', 'COMPENSATED'] as [
      DepositStatus,
      string,
      'COMPENSATED',
    ],
    message: `deposit ${input.depositId} was not completed and has been reversed: ${message}`,
  };
}

/**
 * Today's deposit: the same steps and guarantees as depositSaga with one workflow task per counterpart call.
 * Journal rows go with the registration, the identification gate, the ledger credit (a local activity: posting
 * and rows in one transaction) and the outcome; the AFM report starts with the last task, unawaited.
 */
async function leanDepositSaga(state: State, input: DepositInput, steps: StepQueue<DepositStatus>): Promise<State> {
  const counterpartId = counterpartOperationId('DEPOSIT', input.depositId);
  const refused = (failure: Failure): never => {
    state.failure = failure;
    steps.advance(DepositStatus.Refused, 'deposit.refused', { result: 'REFUSED', failure });
    return refuse(failure, state);
  };
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  if (underage) return refused(underage);
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'DEPOSIT' });
  if (!eligibility.eligible) return refused(registerRefusal(eligibility.reason));
  const eligible = steps.record(DepositStatus.DebitingWallet, 'deposit.bettor-eligible');
  const notIdentified = await identificationRefusal(input.bettorRef, steps.pending(eligible));
  if (notIdentified) return refused(notIdentified);
  steps.written(eligible);

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

    steps.advance(DepositStatus.CreditingAccount, 'deposit.wallet-debited');
    compensations.push('reverse-ledger-credit', () =>
      compensation.reverseDepositCredit({
        depositId: input.depositId,
        bettorRef: input.bettorRef,
        amountTiyn: input.amountTiyn,
      }),
    );
    const credited = steps.record(DepositStatus.RecordingInEsu, 'deposit.account-credited');
    const credit = await steps.carry(
      (journalled) =>
        localLedger.creditDeposit({
          depositId: input.depositId,
          bettorRef: input.bettorRef,
          amountTiyn: input.amountTiyn,
          steps: journalled,
        }),
      credited,
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
    // Journalled before the compensations run: a refund may retry for long, and ops see the deposit COMPENSATING.
    const advance = async (
      status: DepositStatus,
      event: string,
      extra: { result: 'FAILED' | 'COMPENSATED' | 'REFUSED'; failure: Failure },
    ) => {
      steps.advance(status, event, extra);
      if (status === DepositStatus.Compensating) await steps.flush();
    };
    return compensateAndFail(depositReversal(err, state, compensations, input, advance));
  }

  // The money received from the bettor goes to AFM (AFM order No. 9, annex 2 items 2–3).
  state.afmSubmissionId = await reportMoneyFlowToAfmAtEnd({
    operationId: input.depositId,
    counterpartId,
    operationKind: 'DEPOSIT',
    bettorRef: input.bettorRef,
    record: { iin: input.iin, receivedAt, receivedTiyn: input.amountTiyn },
  });
  steps.advance(DepositStatus.Completed, 'deposit.completed', { esuReceiptId: state.esuReceipt.receiptId });
  return state;
}
