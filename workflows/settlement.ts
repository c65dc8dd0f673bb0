import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { BettingLedgerActivities } from '../activities/betting-ledger.js';
import {
  SettlementInput,
  SettlementStatus,
  settlementAmounts,
  settlementOperationId,
  type BetRecord,
  type SettlementState,
} from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { AmountTiynKey, BettorRefKey } from '../domain/search-attributes.js';
import type { EsuOperationRequest } from '../domain/wire/esu.js';
import { recordMovedMoneyInEsu } from './afm-report.js';
import { runMoneySaga } from './money-steps.js';
import { describeFailure, parseInput } from './failures.js';
import type { SagaShape } from './step-journal.js';
import * as policies from './policies.js';

export const getSettlementStatusQuery = defineQuery<SettlementState>('getStatus');

const { nonRetryableErrorTypes } = policies;

// After the money moved there is nothing to undo: ESU's transient faults are retried until ESU answers
// (no deadline), and only a permanent refusal hands the record over to an ESU submission.
const esu = proxyActivities<EsuActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
});

/** The statuses a settlement shows as OperationStatus (lean shape): where it ended. */
const VISIBLE = new Set<string>([
  SettlementStatus.Settled,
  SettlementStatus.SettledEsuPending,
  SettlementStatus.Refused,
]);

/**
 * The bookmaker settles a bet (`Settlement:<betId>`, so settling twice joins one run): load the accepted bet →
 * move stake and winnings in one ledger transaction → record the result and win in ESU. Settling again with
 * the same result returns the earlier outcome; another result is a SettlementConflict. An ESU refusal does
 * not undo a settlement: the record goes to an ESU submission and the settlement ends SETTLED_ESU_PENDING.
 */
export async function settleBet(rawInput: SettlementInput): Promise<SettlementState> {
  const state: SettlementState = {
    betId: rawInput.betId,
    operationId: settlementOperationId(rawInput),
    status: SettlementStatus.Received,
    result: rawInput.result,
  };
  setHandler(getSettlementStatusQuery, () => state);
  const input = parseInput(SettlementInput, rawInput, 'settlement', state, SettlementStatus.Refused);
  // Until the bet is loaded the journal knows neither bettor nor amount.
  const loaded: { bet?: BetRecord | null } = {};
  return runMoneySaga({
    patch: 'lean-settlement',
    registration: {
      kind: 'SETTLEMENT',
      operationId: state.operationId,
      // The result is not part of the settlement's identity: another result for the same bet is a SettlementConflict.
      request: { betId: input.betId, ...(input.settlementId ? { settlementId: input.settlementId } : {}) },
      // A refused settlement moved nothing: the bookmaker may settle the bet again under the same id.
      reopenFailed: true,
      state,
      refusedStatus: SettlementStatus.Refused,
    },
    subject: () => ({
      operationId: state.operationId,
      bettorRef: loaded.bet?.bettorRef ?? '',
      amountTiyn: loaded.bet?.stakeTiyn ?? 0,
    }),
    visible: VISIBLE,
    received: (steps) =>
      steps.step(SettlementStatus.LoadingBet, 'settlement.received', {
        details: { betId: input.betId, result: input.result },
      }),
    ids: { registered: (id: string) => counterpartOperationId('SETTLEMENT', id), unregistered: (id: string) => id },
    steps: (shape, esuId) => settlementSteps(state, input, esuId, loaded, shape),
    answerFinished: (recorded) =>
      recorded.result === input.result
        ? undefined
        : {
            type: ErrorType.SettlementConflict,
            message: `bet ${input.betId} was settled ${recorded.result}; a settlement is final`,
          },
  });
}

/**
 * The settlement's steps, in either shape. `esuId` names it at ESU (`stl-<operationId>`), from whichever run's
 * operation id settled the bet. Lean: the bet is read and settled by local activities in the first workflow
 * task, the posting with its journal rows in one transaction; ESU's answer is the second task.
 */
async function settlementSteps(
  state: SettlementState,
  input: SettlementInput,
  esuId: (operationId: string) => string,
  loaded: { bet?: BetRecord | null },
  { steps, ledger }: SagaShape<SettlementStatus>,
): Promise<SettlementState> {
  const refuse = (type: ErrorType, message: string) =>
    steps.refuse(SettlementStatus.Refused, 'settlement.refused', { type, message });

  const bet = (loaded.bet = await ledger.loadBet({ betId: input.betId }));
  if (!bet) return refuse(ErrorType.UnknownBet, `no bet ${input.betId} was placed through esu-bridge`);
  upsertSearchAttributes([
    { key: BettorRefKey, value: bet.bettorRef },
    { key: AmountTiynKey, value: bet.stakeTiyn },
  ]);
  Object.assign(state, { stakeTiyn: bet.stakeTiyn, odds: bet.odds });
  if (bet.status === 'SETTLED' && bet.result !== input.result) {
    return refuse(ErrorType.SettlementConflict, `bet ${input.betId} was settled ${bet.result}; a settlement is final`);
  }
  if (bet.status !== 'SETTLED' && bet.status !== 'ACCEPTED') {
    return refuse(
      ErrorType.BetNotAccepted,
      `bet ${input.betId} is ${bet.status}: only a bet ESU accepted can be settled`,
    );
  }

  const amounts = settlementAmounts(bet.stakeTiyn, bet.odds, input.result);
  Object.assign(state, { winningsTiyn: amounts.winningsTiyn, creditedTiyn: amounts.creditedTiyn });
  await steps.step(SettlementStatus.Posting, 'settlement.bet-loaded');
  const posted = { details: { winningsTiyn: amounts.winningsTiyn } };
  let settled: Awaited<ReturnType<BettingLedgerActivities['settleBetInLedger']>>;
  try {
    settled = await steps.carry(
      (rows) =>
        ledger.settleBetInLedger({
          betId: bet.betId,
          operationId: state.operationId,
          result: input.result,
          winningsTiyn: amounts.winningsTiyn,
          ...(rows ? { stepsIfSettled: rows } : {}),
        }),
      [SettlementStatus.RecordingInEsu, 'settlement.posted', posted],
      (done) => done.outcome === 'SETTLED',
    );
  } catch (err) {
    // A concurrent settlement can win the race between loading the bet and posting: nothing moved here.
    const { type, message } = describeFailure(err);
    if (type === ErrorType.SettlementConflict || type === ErrorType.BetNotAccepted || type === ErrorType.UnknownBet)
      return refuse(type, message);
    throw err;
  }
  // An earlier run settled it: ESU is asked again under that run's operation id, which ESU answers idempotently.
  Object.assign(state, {
    operationId: settled.operationId,
    settledAt: settled.settledAt,
    alreadySettled: settled.outcome === 'ALREADY_SETTLED',
  });
  if (settled.outcome !== 'SETTLED') {
    await steps.step(SettlementStatus.RecordingInEsu, 'settlement.already-posted', posted);
    // ESU may be retried for long: the operations list shows the settlement recording in ESU meanwhile.
    await steps.flush();
  }

  const record: EsuOperationRequest = {
    operationId: esuId(state.operationId),
    kind: 'SETTLEMENT',
    iin: bet.iin,
    // The operation concerns the stake; the win is its own field (0 for a lost, void or refunded bet).
    amountTiyn: bet.stakeTiyn,
    currency: 'KZT',
    occurredAt: settled.settledAt,
    bet: {
      betId: bet.betId,
      eventId: bet.eventId,
      outcome: bet.outcome,
      odds: bet.odds,
      result: input.result,
      winningsTiyn: amounts.winningsTiyn,
    },
  };
  const recorded = await recordMovedMoneyInEsu(esu.recordOperation, {
    operationId: state.operationId,
    operationKind: 'SETTLEMENT',
    bettorRef: bet.bettorRef,
    record,
  });
  if (!('receipt' in recorded)) {
    ({ esuSubmissionId: state.esuSubmissionId, failure: state.failure } = recorded);
    await steps.step(SettlementStatus.SettledEsuPending, 'settlement.esu-refused', {
      result: 'FAILED',
      failure: state.failure,
      details: { esuSubmissionId: state.esuSubmissionId },
    });
    return state;
  }
  state.esuReceipt = recorded.receipt;
  await steps.step(SettlementStatus.Settled, 'settlement.settled', { esuReceiptId: recorded.receipt.receiptId });
  return state;
}
