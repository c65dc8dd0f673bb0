import { ApplicationFailure, defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { NomapayActivities } from '../activities/nomapay.js';
import type { LedgerActivities } from '../activities/ledger.js';
import { DepositInput, DepositStatus, type DepositState } from '../domain/deposit.js';
import { firstIssue } from '../domain/issues.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { underageRefusal } from '../domain/bettor-age.js';
import { Compensations, failureType } from './saga.js';
import { reportMoneyFlowToAfm } from './afm-report.js';
import { asRegisteredOperation, identificationRefusal, rootMessage, stepJournal } from './money-steps.js';

export const getDepositStatusQuery = defineQuery<DepositState>('getStatus');

/** How long ESU may stay unreachable before a deposit gives up and refunds (ESU's receipt is the proof of recording). */
export const ESU_RECORDING_DEADLINE = '24 hours';

const nonRetryableErrorTypes = NON_RETRYABLE_ERROR_TYPES;

const esu = proxyActivities<EsuActivities>({
  startToCloseTimeout: '30 seconds', // seed 004: a synchronous call takes at most 30 s
  scheduleToCloseTimeout: ESU_RECORDING_DEADLINE,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

const wallet = proxyActivities<NomapayActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

const ledger = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '30 seconds', nonRetryableErrorTypes },
});

// Compensations retry without limit; only a non-retryable refusal stops them (then CompensationFailed).
const compensation = proxyActivities<NomapayActivities & LedgerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
});

/**
 * A bettor's deposit: check the bettor may play → debit the e-wallet at Nomapay → credit the betting
 * account in the ledger → record the operation in ESU and keep its receipt. An ESU refusal (or ESU
 * unreachable past its deadline) reverses the ledger credit and refunds the wallet.
 */
export async function deposit(rawInput: DepositInput): Promise<DepositState> {
  // afmSubmissionId: the AFM report of the money received (seed 001 annex 2 items 2–3), once completed.
  const state: DepositState & { afmSubmissionId?: string } = { depositId: rawInput.depositId, status: DepositStatus.Received, amountTiyn: rawInput.amountTiyn, compensations: [] };
  setHandler(getDepositStatusQuery, () => state);
  const parsed = DepositInput.safeParse(rawInput);
  if (!parsed.success) {
    state.status = DepositStatus.Refused;
    state.failure = { type: ErrorType.InvalidInput, message: `deposit input: ${firstIssue(parsed.error)}` };
    throw ApplicationFailure.nonRetryable(state.failure.message, ErrorType.InvalidInput);
  }
  const input = parsed.data;
  // Runs recorded before the operation registry replay as they ran: no registration, the raw id at every counterpart.
  if (!patched('operation-registry')) return depositSaga(state, input, input.depositId);
  const { bettorRef, ...request } = input;
  return asRegisteredOperation(
    { kind: 'DEPOSIT', operationId: input.depositId, request, bettorRef, state, refusedStatus: DepositStatus.Refused },
    () => depositSaga(state, input, counterpartOperationId('DEPOSIT', input.depositId)),
  );
}

/** The deposit's steps. `counterpartId` is its transfer id at Nomapay and operation id at ESU (`dep-<depositId>`). */
async function depositSaga(state: DepositState & { afmSubmissionId?: string }, input: DepositInput, counterpartId: string): Promise<DepositState> {
  const advance = stepJournal(state, 'DEPOSIT', () => ({ operationId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn }));

  await advance(DepositStatus.CheckingBettor, 'deposit.received');
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  if (underage) {
    state.failure = underage;
    await advance(DepositStatus.Refused, 'deposit.refused', { result: 'REFUSED', failure: underage });
    throw ApplicationFailure.create({ message: underage.message, type: underage.type, nonRetryable: true, details: [state] });
  }
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'DEPOSIT' });
  if (!eligibility.eligible) {
    const failure = { type: ErrorType.BettorRestricted, message: `ESU register refuses this bettor: ${eligibility.reason}` };
    state.failure = failure;
    await advance(DepositStatus.Refused, 'deposit.refused', { result: 'REFUSED', failure });
    throw ApplicationFailure.create({ message: failure.message, type: failure.type, nonRetryable: true, details: [state] });
  }
  // Added after histories were recorded (test/replay): older runs replay without the gate.
  if (patched('identification-gate')) {
    const notIdentified = await identificationRefusal(input.bettorRef);
    if (notIdentified) {
      state.failure = notIdentified;
      await advance(DepositStatus.Refused, 'deposit.refused', { result: 'REFUSED', failure: notIdentified });
      throw ApplicationFailure.create({ message: notIdentified.message, type: notIdentified.type, nonRetryable: true, details: [state] });
    }
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
      compensation.refundWalletTransfer({ transferId: walletTransferId, reason: 'deposit not recorded by ESU', expected: transfer }),
    );
    const debit = await wallet.transferWallet({ transferId: walletTransferId, ...transfer, currency: input.currency });
    state.walletTransferId = debit.transferId;
    receivedAt = debit.completedAt;

    await advance(DepositStatus.CreditingAccount, 'deposit.wallet-debited');
    compensations.push('reverse-ledger-credit', () =>
      compensation.reverseDepositCredit({ depositId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn }),
    );
    const credit = await ledger.creditDeposit({ depositId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn });
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
    state.failure = { type: failureType(err) ?? 'Unknown', message: rootMessage(err) };
    await advance(DepositStatus.Compensating, 'deposit.compensating', { result: 'FAILED', failure: state.failure });
    try {
      await compensations.run();
    } catch (compensationErr) {
      state.compensations = compensations.done;
      state.failure = { type: ErrorType.CompensationFailed, message: rootMessage(compensationErr) };
      await advance(DepositStatus.CompensationFailed, 'deposit.compensation-failed', { result: 'FAILED', failure: state.failure });
      throw compensationErr;
    }
    state.compensations = compensations.done;
    await advance(DepositStatus.Compensated, 'deposit.compensated', { result: 'COMPENSATED', failure: state.failure });
    throw ApplicationFailure.create({
      message: `deposit ${input.depositId} was not completed and has been reversed: ${state.failure.message}`,
      type: state.failure.type,
      nonRetryable: true,
      cause: err as Error,
      details: [state],
    });
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
