import { z } from 'zod';
import { Iin } from './iin.js';
import { AmountTiyn, Currency, MoneyFields } from './money.js';
import { BettorRef, BusinessKey } from './ids.js';
import { Text } from './text.js';
import type { EligibilityResult, EsuReceipt } from './wire/esu.js';

/**
 * Bets, their settlement and payouts (the ESU integration plan, item 13; AFM order No. 9, item 4(3)): ESU records every accepted bet with
 * its odds, every win and every payout. Money is integer tiyn; odds are decimal strings, never floats.
 */

/** A bet id leaves room for the settlement's ESU operation id `<betId>.settle`, which must stay a BusinessKey (≤ 64). */
export const BetId = BusinessKey.max(
  57,
  'must be at most 57 characters (its settlement is recorded in ESU as "<betId>.settle")',
);

/** Decimal odds as ESU's wire takes them (up to 6 integer and 4 decimal places), and above 1: a bet must be able to win. */
const ODDS_PATTERN = /^(\d{1,6})(?:\.(\d{1,4}))?$/;
export const Odds = z
  .string()
  .regex(ODDS_PATTERN, 'odds must be a decimal string such as "2.35" (up to 4 decimal places)')
  .refine((odds) => !ODDS_PATTERN.test(odds) || oddsInTenThousandths(odds) > 10_000n, 'odds must be greater than 1');

const ODDS_SCALE = 10_000n;

/** "2.35" → 23500n: odds as an exact integer number of ten-thousandths. */
export function oddsInTenThousandths(odds: string): bigint {
  const match = ODDS_PATTERN.exec(odds);
  if (!match) throw new RangeError(`not decimal odds: ${odds}`);
  return BigInt(match[1]!) * ODDS_SCALE + BigInt((match[2] ?? '').padEnd(4, '0'));
}

/**
 * The winnings of a won bet: stake × odds, rounded DOWN to the whole tiyn. The bookmaker never pays a
 * fraction of a tiyn, and rounding down never pays more than the odds promise (333 tiyn at 2.35 = 782.55 → 782).
 * Computed in integer arithmetic (BigInt) so no float ever touches money.
 */
export function winningsTiyn(stakeTiyn: number, odds: string): number {
  const winnings = (BigInt(stakeTiyn) * oddsInTenThousandths(odds)) / ODDS_SCALE; // BigInt division truncates: floor for positives
  if (winnings > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`winnings of ${stakeTiyn} tiyn at ${odds} exceed a safe integer`);
  return Number(winnings);
}

/** Strict like every request: a field we do not know is refused, naming it, rather than dropped unseen. */
const BetFields = z.strictObject({
  betId: BetId,
  iin: Iin,
  stakeTiyn: AmountTiyn,
  currency: Currency,
  eventId: Text(128, { min: 1 }),
  outcome: Text(128, { min: 1 }),
  odds: Odds,
});

/** A bet whose win could not be paid exactly (beyond a safe integer of tiyn) is a data-entry error. */
function winningsPayable(bet: { stakeTiyn: number; odds: string }, ctx: z.RefinementCtx): void {
  if (!Number.isSafeInteger(bet.stakeTiyn) || !Odds.safeParse(bet.odds).success) return;
  if ((BigInt(bet.stakeTiyn) * oddsInTenThousandths(bet.odds)) / ODDS_SCALE > BigInt(Number.MAX_SAFE_INTEGER)) {
    ctx.addIssue({ code: 'custom', path: ['odds'], message: 'stake × odds is too large to pay' });
  }
}

/** What a bookmaker service sends to place a bet. `betId` is its idempotency key. */
export const BetRequest = BetFields.superRefine(winningsPayable);
export type BetRequest = z.infer<typeof BetRequest>;

/** The workflow input: the request plus the keyed IIN hash the client derives. */
export const BetInput = BetFields.extend({ bettorRef: BettorRef }).superRefine(winningsPayable);
export type BetInput = z.infer<typeof BetInput>;

/** The saga's status: also the `OperationStatus` search attribute and `operations.status`. */
export const BetStatus = {
  Received: 'RECEIVED',
  CheckingBettor: 'CHECKING_BETTOR',
  ReservingStake: 'RESERVING_STAKE',
  RecordingInEsu: 'RECORDING_IN_ESU',
  Accepting: 'ACCEPTING',
  Accepted: 'ACCEPTED',
  Voiding: 'VOIDING',
  Voided: 'VOIDED',
  Refused: 'REFUSED',
  CompensationFailed: 'COMPENSATION_FAILED',
} as const;
export type BetStatus = (typeof BetStatus)[keyof typeof BetStatus];

/** The bet's row in `bets` (its life after the saga: settlement reads it). */
export const BetRecordStatus = z.enum(['PENDING', 'ACCEPTED', 'VOIDED', 'SETTLED']);
export type BetRecordStatus = z.infer<typeof BetRecordStatus>;

export const BetResult = z.enum(['WON', 'LOST', 'VOID', 'REFUNDED']);
export type BetResult = z.infer<typeof BetResult>;

/** Snapshot returned by the bet's `getStatus` query and, once accepted, as the workflow result. */
export interface BetState {
  betId: string;
  status: BetStatus;
  stakeTiyn: number;
  odds: string;
  /** The pending ledger transfer holding the stake. */
  reservationId?: string;
  esuReceipt?: EsuReceipt;
  failure?: { type: string; message: string };
  compensations: string[];
}

export interface BetRecord {
  betId: string;
  workflowId: string;
  bettorRef: string;
  /** Kept in the bookmaker's own database (never in visibility): ESU's settlement record names the bettor by IIN. */
  iin: string;
  eventId: string;
  outcome: string;
  odds: string;
  stakeTiyn: number;
  status: BetRecordStatus;
  esuReceiptId: string | null;
  result: BetResult | null;
  winningsTiyn: number | null;
  /** The ESU operation id of the settlement (`<betId>.settle` or the bookmaker's settlement id). */
  settlementId: string | null;
  placedAt: string;
  acceptedAt: string | null;
  settledAt: string | null;
}

export const SettlementRequest = z.strictObject({
  betId: BetId,
  result: BetResult,
  /** The bookmaker's own id for the settlement; it becomes the ESU operation id. Default `<betId>.settle`. */
  settlementId: BusinessKey.optional(),
});
export type SettlementRequest = z.infer<typeof SettlementRequest>;
export const SettlementInput = SettlementRequest;
export type SettlementInput = SettlementRequest;

export const settlementOperationId = (request: Pick<SettlementRequest, 'betId' | 'settlementId'>) =>
  request.settlementId ?? `${request.betId}.settle`;

/** Ledger accounts a settlement moves money between, named by role (activities resolve the ids). */
export type SettlementAccount = 'STAKES_HELD' | 'BOOKMAKER_REVENUE' | 'BETTOR';
export interface SettlementLeg {
  leg: string;
  from: SettlementAccount;
  to: SettlementAccount;
  amountTiyn: number;
}

export interface SettlementAmounts {
  /** Recorded in ESU and added to the bettor's running winnings: stake × odds for a won bet, else 0. */
  winningsTiyn: number;
  /** Everything the bettor's account receives: winnings, or the stake back for a void or refunded bet. */
  creditedTiyn: number;
  legs: SettlementLeg[];
}

/**
 * The postings of a settlement. A won bet gets its stake back from stakes-held and the rest of the winnings
 * from the bookmaker's revenue; a lost stake becomes revenue; a void or refunded bet gets its stake back
 * and counts no win.
 */
export function settlementAmounts(stakeTiyn: number, odds: string, result: BetResult): SettlementAmounts {
  switch (result) {
    case 'WON': {
      const winnings = winningsTiyn(stakeTiyn, odds);
      const legs: SettlementLeg[] = [{ leg: 'stake-return', from: 'STAKES_HELD', to: 'BETTOR', amountTiyn: stakeTiyn }];
      if (winnings > stakeTiyn)
        legs.push({ leg: 'winnings', from: 'BOOKMAKER_REVENUE', to: 'BETTOR', amountTiyn: winnings - stakeTiyn });
      return { winningsTiyn: winnings, creditedTiyn: winnings, legs };
    }
    case 'LOST':
      return {
        winningsTiyn: 0,
        creditedTiyn: 0,
        legs: [{ leg: 'stake-forfeit', from: 'STAKES_HELD', to: 'BOOKMAKER_REVENUE', amountTiyn: stakeTiyn }],
      };
    case 'VOID':
    case 'REFUNDED':
      return {
        winningsTiyn: 0,
        creditedTiyn: stakeTiyn,
        legs: [{ leg: 'stake-return', from: 'STAKES_HELD', to: 'BETTOR', amountTiyn: stakeTiyn }],
      };
  }
}

export const SettlementStatus = {
  Received: 'RECEIVED',
  LoadingBet: 'LOADING_BET',
  Posting: 'POSTING',
  RecordingInEsu: 'RECORDING_IN_ESU',
  Settled: 'SETTLED',
  /** The money moved but ESU refused the record: an ESU submission waits for compliance to correct it. */
  SettledEsuPending: 'SETTLED_ESU_PENDING',
  Refused: 'REFUSED',
} as const;
export type SettlementStatus = (typeof SettlementStatus)[keyof typeof SettlementStatus];

export interface SettlementState {
  betId: string;
  /** The ESU operation id and journal record id of this settlement. */
  operationId: string;
  status: SettlementStatus;
  result: BetResult;
  stakeTiyn?: number;
  odds?: string;
  winningsTiyn?: number;
  creditedTiyn?: number;
  /** True when the bet had been settled with this result before: nothing moved again. */
  alreadySettled?: boolean;
  settledAt?: string;
  esuReceipt?: EsuReceipt;
  /** Set when ESU refused the record: the submission compliance corrects and resubmits. */
  esuSubmissionId?: string;
  failure?: { type: string; message: string };
}

/** What a bookmaker service sends to pay a bettor out to their e-wallet. `payoutId` is its idempotency key. */
export const PayoutRequest = z.strictObject({ payoutId: BusinessKey, iin: Iin, ...MoneyFields });
export type PayoutRequest = z.infer<typeof PayoutRequest>;

export const PayoutInput = PayoutRequest.extend({ bettorRef: BettorRef });
export type PayoutInput = z.infer<typeof PayoutInput>;

/**
 * Whether ESU's register answer refuses a payout. Assumption (not in the seeds): self-exclusion and the age
 * limit bar betting, not taking back one's own balance, so only a BARRED person (a listed or convicted person
 * whose funds may be frozen) is refused; an ineligible answer without a reason is refused too, to be safe.
 */
export function payoutRefused(eligibility: EligibilityResult): boolean {
  if (eligibility.eligible) return false;
  return eligibility.reason === undefined || eligibility.reason === 'BARRED';
}

export const PayoutStatus = {
  Received: 'RECEIVED',
  CheckingBettor: 'CHECKING_BETTOR',
  Reserving: 'RESERVING',
  PayingOut: 'PAYING_OUT',
  Posting: 'POSTING',
  RecordingInEsu: 'RECORDING_IN_ESU',
  ReportingToAfm: 'REPORTING_TO_AFM',
  Completed: 'COMPLETED',
  /** The money is with the bettor but ESU refused the record: an ESU submission waits for compliance. */
  CompletedEsuPending: 'COMPLETED_ESU_PENDING',
  Compensating: 'COMPENSATING',
  Compensated: 'COMPENSATED',
  Refused: 'REFUSED',
  CompensationFailed: 'COMPENSATION_FAILED',
} as const;
export type PayoutStatus = (typeof PayoutStatus)[keyof typeof PayoutStatus];

export interface PayoutState {
  payoutId: string;
  status: PayoutStatus;
  amountTiyn: number;
  reservationId?: string;
  walletTransferId?: string;
  ledgerTransferId?: string;
  esuReceipt?: EsuReceipt;
  esuSubmissionId?: string;
  afmSubmissionId?: string;
  failure?: { type: string; message: string };
  compensations: string[];
}
