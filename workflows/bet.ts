import {
  ApplicationFailure,
  defineQuery,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import type { BettingLedgerActivities } from '../activities/betting-ledger.js';
import { BetInput, BetStatus, type BetState } from '../domain/bet.js';
import type { EsuReceipt } from '../domain/wire/esu.js';
import { ErrorType } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { underageRefusal } from '../domain/bettor-age.js';
import { Compensations, compensateAndFail } from './saga.js';
import { asRegisteredOperation, identificationRefusal, stepJournal } from './money-steps.js';
import { describeFailure, parseInput } from './failures.js';
import { compensation, ledger } from './policies.js';
import * as policies from './policies.js';

export const getBetStatusQuery = defineQuery<BetState>('getStatus');

/**
 * A bet is accepted in real time or not at all (the ESU integration plan, item 13): if ESU has not given its receipt within
 * this deadline, the stake is released and the bookmaker tells the bettor the bet was not taken.
 */
export const ESU_BET_RECORDING_DEADLINE = '2 minutes';

const { nonRetryableErrorTypes } = policies;

// The register check and the recording both keep the bettor waiting: each is bounded by the real-time deadline.
const esu = proxyActivities<EsuActivities>({
  startToCloseTimeout: '30 seconds', // the e-government integration rules: a synchronous call takes at most 30 s
  scheduleToCloseTimeout: ESU_BET_RECORDING_DEADLINE,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', nonRetryableErrorTypes },
});

/**
 * A bettor's bet (`Bet:<betId>`): check the register → hold the stake as a pending ledger transfer → record
 * the bet with its odds in ESU → on ESU's receipt post the stake and accept the bet. An ESU refusal, or ESU
 * without an answer past ESU_BET_RECORDING_DEADLINE, voids the hold and fails with the reason.
 */
export async function placeBet(rawInput: BetInput): Promise<BetState> {
  const state: BetState = {
    betId: rawInput.betId,
    status: BetStatus.Received,
    stakeTiyn: rawInput.stakeTiyn,
    odds: rawInput.odds,
    compensations: [],
  };
  setHandler(getBetStatusQuery, () => state);
  const input = parseInput(BetInput, rawInput, 'bet', state, BetStatus.Refused);
  // Runs recorded before the operation registry replay as they ran: no registration, the raw id at ESU.
  if (!patched('operation-registry')) return betSaga(state, input, input.betId);
  const { bettorRef, ...request } = input;
  return asRegisteredOperation(
    { kind: 'BET', operationId: input.betId, request, bettorRef, state, refusedStatus: BetStatus.Refused },
    () => betSaga(state, input, counterpartOperationId('BET', input.betId)),
  );
}

/** The bet's steps. `esuOperationId` is its operation id at ESU (`bet-<betId>`); the bet itself keeps its id there. */
async function betSaga(state: BetState, input: BetInput, esuOperationId: string): Promise<BetState> {
  const advance = stepJournal(state, 'BET', () => ({
    operationId: input.betId,
    bettorRef: input.bettorRef,
    amountTiyn: input.stakeTiyn,
  }));

  await advance(BetStatus.CheckingBettor, 'bet.received', {
    details: { eventId: input.eventId, outcome: input.outcome, odds: input.odds },
  });
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  if (underage) {
    state.failure = underage;
    await advance(BetStatus.Refused, 'bet.refused', { result: 'REFUSED', failure: underage });
    throw ApplicationFailure.create({
      message: underage.message,
      type: underage.type,
      nonRetryable: true,
      details: [state],
    });
  }
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'BET' });
  if (!eligibility.eligible) {
    state.failure = {
      type: ErrorType.BettorRestricted,
      message: `ESU register refuses this bettor: ${eligibility.reason}`,
    };
    await advance(BetStatus.Refused, 'bet.refused', { result: 'REFUSED', failure: state.failure });
    throw ApplicationFailure.create({
      message: state.failure.message,
      type: state.failure.type,
      nonRetryable: true,
      details: [state],
    });
  }
  const notIdentified = await identificationRefusal(input.bettorRef);
  if (notIdentified) {
    state.failure = notIdentified;
    await advance(BetStatus.Refused, 'bet.refused', { result: 'REFUSED', failure: notIdentified });
    throw ApplicationFailure.create({
      message: notIdentified.message,
      type: notIdentified.type,
      nonRetryable: true,
      details: [state],
    });
  }

  const compensations = new Compensations();
  let receipt: EsuReceipt;
  try {
    await advance(BetStatus.ReservingStake, 'bet.bettor-eligible');
    // Pushed before the call: a reservation that timed out may still have landed (else the void is "nothing to undo").
    compensations.push('void-stake', () => compensation.voidStake({ betId: input.betId }));
    const reservation = await ledger.reserveStake({
      betId: input.betId,
      workflowId: workflowInfo().workflowId,
      bettorRef: input.bettorRef,
      iin: input.iin,
      eventId: input.eventId,
      outcome: input.outcome,
      odds: input.odds,
      stakeTiyn: input.stakeTiyn,
    });
    state.reservationId = reservation.reservationId;

    await advance(BetStatus.RecordingInEsu, 'bet.stake-reserved');
    receipt = await esu.recordOperation({
      operationId: esuOperationId,
      kind: 'BET',
      iin: input.iin,
      amountTiyn: input.stakeTiyn,
      currency: input.currency,
      occurredAt: reservation.placedAt,
      bet: { betId: input.betId, eventId: input.eventId, outcome: input.outcome, odds: input.odds },
    });
  } catch (err) {
    // A recording whose answer was lost is found by the next attempt's status query (activities/esu.ts); only an
    // attempt that lands after the deadline can leave ESU holding a bet voided here, and ESU offers no cancel.
    const { type, message } = describeFailure(err);
    // Not enough money is a refusal (nothing was ever held); anything later is undone after its hold.
    const refused = type === ErrorType.InsufficientBalance;
    return compensateAndFail({
      err,
      failure: { type, message },
      state,
      compensations,
      advance,
      compensating: [BetStatus.Voiding, 'bet.voiding'],
      compensationFailed: [BetStatus.CompensationFailed, 'bet.compensation-failed'],
      compensated: refused
        ? [BetStatus.Refused, 'bet.refused', 'REFUSED']
        : [BetStatus.Voided, 'bet.voided', 'COMPENSATED'],
      message: `bet ${input.betId} was not accepted: ${message}`,
    });
  }

  state.esuReceipt = receipt;
  // ESU holds the bet now: posting the stake is retried until it lands, never compensated.
  await advance(BetStatus.Accepting, 'bet.recorded-in-esu', { esuReceiptId: receipt.receiptId });
  await ledger.acceptBet({ betId: input.betId, esuReceiptId: receipt.receiptId, acceptedAt: receipt.recordedAt });
  await advance(BetStatus.Accepted, 'bet.accepted', { esuReceiptId: receipt.receiptId });
  return state;
}
