import { describe, expect, it } from 'vitest';
import {
  BetRequest,
  oddsInTenThousandths,
  payoutRefused,
  PayoutRequest,
  SettlementRequest,
  settlementAmounts,
  settlementOperationId,
  winningsTiyn,
} from '../../domain/bet.js';
import { betWorkflowId, parseWorkflowId, payoutWorkflowId, settlementWorkflowId } from '../../domain/ids.js';
import { betRequest, payoutRequest } from '../support/unit-requests.js';

describe('odds and winnings', () => {
  it('reads odds exactly as ten-thousandths', () => {
    expect(oddsInTenThousandths('2.35')).toBe(23_500n);
    expect(oddsInTenThousandths('1.0001')).toBe(10_001n);
    expect(oddsInTenThousandths('15')).toBe(150_000n);
    expect(() => oddsInTenThousandths('2.35000')).toThrow(RangeError);
  });

  it('rounds winnings down to the whole tiyn', () => {
    expect(winningsTiyn(333, '2.35')).toBe(782); // 782.55
    expect(winningsTiyn(1, '1.99')).toBe(1); // 1.99
    expect(winningsTiyn(10_000, '2.35')).toBe(23_500);
    expect(winningsTiyn(7, '3.3333')).toBe(23); // 23.3331
  });

  it('stays exact where floats are not', () => {
    // 0.1 + 0.2 style: 1.15 × 100 is 114.99999999999999 in floating point; the rule gives 115.
    expect(winningsTiyn(100, '1.15')).toBe(115);
    expect(winningsTiyn(100_000_000_000, '999.9999')).toBe(99_999_990_000_000);
  });
});

describe('settlement amounts', () => {
  it('returns the stake from stakes-held and the rest of a win from revenue', () => {
    expect(settlementAmounts(333, '2.35', 'WON')).toEqual({
      winningsTiyn: 782,
      creditedTiyn: 782,
      legs: [
        { leg: 'stake-return', from: 'STAKES_HELD', to: 'BETTOR', amountTiyn: 333 },
        { leg: 'winnings', from: 'BOOKMAKER_REVENUE', to: 'BETTOR', amountTiyn: 449 },
      ],
    });
  });

  it('turns a lost stake into revenue, and gives a void or refunded stake back without a win', () => {
    expect(settlementAmounts(500, '3', 'LOST')).toEqual({
      winningsTiyn: 0,
      creditedTiyn: 0,
      legs: [{ leg: 'stake-forfeit', from: 'STAKES_HELD', to: 'BOOKMAKER_REVENUE', amountTiyn: 500 }],
    });
    for (const result of ['VOID', 'REFUNDED'] as const) {
      expect(settlementAmounts(500, '3', result)).toEqual({
        winningsTiyn: 0,
        creditedTiyn: 500,
        legs: [{ leg: 'stake-return', from: 'STAKES_HELD', to: 'BETTOR', amountTiyn: 500 }],
      });
    }
  });

  it('posts no zero leg when a win rounds down to the stake', () => {
    expect(settlementAmounts(1, '1.5', 'WON').legs.map((l) => l.leg)).toEqual(['stake-return']);
  });
});

describe('bet, settlement and payout requests', () => {
  it('accepts a well-formed bet', () => {
    expect(BetRequest.safeParse(betRequest()).success).toBe(true);
  });

  it.each([
    [{ odds: 2.35 }, 'odds'],
    [{ odds: '2,35' }, 'odds'],
    [{ odds: '1' }, 'odds'],
    [{ odds: '0.5' }, 'odds'],
    [{ stakeTiyn: 12.5 }, 'stakeTiyn'],
    [{ stakeTiyn: 0 }, 'stakeTiyn'],
    [{ currency: 'USD' }, 'currency'],
    [{ betId: 'x'.repeat(58) }, 'betId'],
    [{ eventId: '' }, 'eventId'],
    [{ iin: '123456789012' }, 'iin'],
    [{ stakeTiyn: 100_000_000_000, odds: '999999' }, 'odds'],
  ])('refuses %j, naming %s', (overrides, field) => {
    const parsed = BetRequest.safeParse(betRequest(overrides));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('derives the settlement operation id, which stays within a business key', () => {
    expect(settlementOperationId({ betId: 'bet-1' })).toBe('bet-1.settle');
    expect(settlementOperationId({ betId: 'bet-1', settlementId: 'stl-9' })).toBe('stl-9');
    expect(settlementOperationId({ betId: 'x'.repeat(57) })).toHaveLength(64);
    expect(SettlementRequest.safeParse({ betId: 'bet-1', result: 'WIN' }).success).toBe(false);
  });

  it('validates payouts like deposits', () => {
    expect(PayoutRequest.safeParse(payoutRequest({ payoutId: 'po-1' })).success).toBe(true);
    expect(PayoutRequest.safeParse(payoutRequest({ payoutId: 'po 1' })).success).toBe(false);
  });
});

describe('payout register rule', () => {
  const checkedAt = '2026-11-20T10:00:00.000+05:00';
  it('lets self-excluded and under-21 bettors take their own balance, refuses barred persons', () => {
    expect(payoutRefused({ eligible: true, checkedAt })).toBe(false);
    expect(payoutRefused({ eligible: false, reason: 'SELF_EXCLUDED', checkedAt })).toBe(false);
    expect(payoutRefused({ eligible: false, reason: 'UNDER_21', checkedAt })).toBe(false);
    expect(payoutRefused({ eligible: false, reason: 'BARRED', checkedAt })).toBe(true);
    expect(payoutRefused({ eligible: false, checkedAt })).toBe(true);
  });
});

describe('workflow ids', () => {
  it('builds and parses bet, settlement and payout ids', () => {
    expect(betWorkflowId('bet-1')).toBe('Bet:bet-1');
    expect(settlementWorkflowId('bet-1')).toBe('Settlement:bet-1');
    expect(parseWorkflowId(payoutWorkflowId('po-1'))).toEqual({ process: 'Payout', businessKey: 'po-1' });
  });
});
