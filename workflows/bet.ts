import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EsuActivities } from '../activities/esu.js';
import { BetInput, BetStatus, type BetState } from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { counterpartOperationId } from '../domain/ids.js';
import { underageRefusal } from '../domain/bettor-age.js';
import { Compensations } from './saga.js';
import { identificationRefusal, registrationOf, runMoneySaga } from './money-steps.js';
import { parseInput } from './failures.js';
import { compensation } from './policies.js';
import * as policies from './policies.js';
import { journalling, undo, type SagaShape } from './step-journal.js';
import type { EsuReceipt } from '../domain/wire/esu.js';

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

/** The statuses a bet shows as OperationStatus (lean shape): where it ended, and a void under way. */
const VISIBLE = new Set<string>([
  BetStatus.Accepted,
  BetStatus.Voiding,
  BetStatus.Voided,
  BetStatus.CompensationFailed,
  BetStatus.Refused,
]);

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
  return runMoneySaga({
    patch: 'lean-bet',
    registration: registrationOf('BET', input.betId, input, state, BetStatus.Refused),
    subject: () => ({ operationId: input.betId, bettorRef: input.bettorRef, amountTiyn: input.stakeTiyn }),
    visible: VISIBLE,
    received: (steps) =>
      steps.step(BetStatus.CheckingBettor, 'bet.received', {
        details: { eventId: input.eventId, outcome: input.outcome, odds: input.odds },
      }),
    // The bet keeps its own id at ESU; its operation there is `bet-<betId>` (the raw id before the registry).
    ids: { registered: counterpartOperationId('BET', input.betId), unregistered: input.betId },
    steps: (shape, esuOperationId) => betSteps(state, input, esuOperationId, shape),
  });
}

/**
 * The bet's steps, in either shape. Lean, one workflow task per counterpart call: journal rows go with the
 * registration, the identification gate, the stake's hold and its posting (local activities: ledger and rows in
 * one transaction) and the outcome.
 */
async function betSteps(
  state: BetState,
  input: BetInput,
  esuOperationId: string,
  { steps, ledger }: SagaShape<BetStatus>,
): Promise<BetState> {
  // ESU's register is the authority on age, and esu-bridge does not rely on it alone (workflow time: deterministic).
  const underage = underageRefusal(input.iin, new Date());
  if (underage) return steps.refuse(BetStatus.Refused, 'bet.refused', underage);
  const eligibility = await esu.checkBettorEligibility({ iin: input.iin, purpose: 'BET' });
  if (!eligibility.eligible) {
    return steps.refuse(BetStatus.Refused, 'bet.refused', {
      type: ErrorType.BettorRestricted,
      message: `ESU register refuses this bettor: ${eligibility.reason}`,
    });
  }
  const notIdentified = await steps.carry(
    (rows) => identificationRefusal(input.bettorRef, rows),
    [BetStatus.ReservingStake, 'bet.bettor-eligible'],
    (refusal) => !refusal,
  );
  if (notIdentified) return steps.refuse(BetStatus.Refused, 'bet.refused', notIdentified);

  const compensations = new Compensations();
  let receipt: EsuReceipt;
  try {
    // Pushed before the call: a reservation that timed out may still have landed (else the void is "nothing to undo").
    compensations.push('void-stake', () => compensation.voidStake({ betId: input.betId }));
    const stake = {
      betId: input.betId,
      workflowId: workflowInfo().workflowId,
      bettorRef: input.bettorRef,
      iin: input.iin,
      eventId: input.eventId,
      outcome: input.outcome,
      odds: input.odds,
      stakeTiyn: input.stakeTiyn,
    };
    const reservation = await steps.carry(
      (rows) => ledger.reserveStake({ ...stake, ...journalling(rows) }),
      [BetStatus.RecordingInEsu, 'bet.stake-reserved'],
    );
    state.reservationId = reservation.reservationId;

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
    return undo(err, {
      state,
      compensations,
      steps,
      compensating: [BetStatus.Voiding, 'bet.voiding'],
      compensationFailed: [BetStatus.CompensationFailed, 'bet.compensation-failed'],
      compensated: [BetStatus.Voided, 'bet.voided'],
      refused: [BetStatus.Refused, 'bet.refused'],
      message: (reason) => `bet ${input.betId} was not accepted: ${reason}`,
    });
  }

  state.esuReceipt = receipt;
  // ESU holds the bet now: posting the stake is retried until it lands, never compensated.
  await steps.step(BetStatus.Accepting, 'bet.recorded-in-esu', { esuReceiptId: receipt.receiptId });
  await steps.carry((rows) =>
    ledger.acceptBet({
      betId: input.betId,
      esuReceiptId: receipt.receiptId,
      acceptedAt: receipt.recordedAt,
      ...journalling(rows),
    }),
  );
  await steps.step(BetStatus.Accepted, 'bet.accepted', { esuReceiptId: receipt.receiptId });
  return state;
}
