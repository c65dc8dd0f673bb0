import { describe, expect, it } from 'vitest';
import {
  afmExpectation,
  classify,
  expectationAt,
  summarise,
  type OurRecord,
  type TheirRecord,
} from '../../domain/reconciliation.js';
import { almatyDay, almatyDayBounds, pageOf } from '../../domain/wire/listings.js';

const T = Date.parse('2026-12-01T10:00:00+05:00');
const ours = (id: string, over: Partial<OurRecord> = {}): OurRecord => ({
  recordId: `dep-${id}`,
  operationId: id,
  operationKind: 'DEPOSIT',
  amountTiyn: 1000,
  status: 'COMPLETED',
  atMs: T,
  required: true,
  allowedStatuses: ['COMPLETED'],
  ...over,
});
const theirs = (id: string, over: Partial<TheirRecord> = {}): TheirRecord => ({
  recordId: `dep-${id}`,
  amountTiyn: 1000,
  status: 'COMPLETED',
  atMs: T,
  ...over,
});

describe('classify: every kind of difference between our records and a counterpart’s', () => {
  it('finds none when both sides agree', () => {
    expect(classify('NOMAPAY', [ours('a'), ours('b')], [theirs('a'), theirs('b')], T + 3600_000)).toEqual({
      differences: [],
      matched: 2,
      withinGrace: 0,
    });
  });

  it('classifies missing at the counterpart, missing at ours, amount and status mismatches and duplicates', () => {
    const result = classify(
      'NOMAPAY',
      [ours('gone'), ours('amount'), ours('refunded'), ours('twice')],
      [
        theirs('amount', { amountTiyn: 999 }),
        theirs('refunded', { status: 'REFUNDED' }),
        theirs('twice'),
        theirs('twice'),
        theirs('stranger'),
      ],
      T + 3600_000,
    );
    expect(result.differences.map((d) => [d.kind, d.recordId]).sort()).toEqual(
      [
        ['AMOUNT_MISMATCH', 'dep-amount'],
        ['DUPLICATE', 'dep-twice'],
        ['MISSING_AT_COUNTERPART', 'dep-gone'],
        ['MISSING_AT_OURS', 'dep-stranger'],
        ['STATUS_MISMATCH', 'dep-refunded'],
      ].sort(),
    );
    expect(result.differences.find((d) => d.kind === 'DUPLICATE')!.theirs!.copies).toBe(2);
    expect(result.matched).toBe(1); // "twice": its first copy agrees
  });

  it('does not call a record younger than the grace period missing, nor one the counterpart need not hold', () => {
    const result = classify(
      'ESU',
      [ours('young', { atMs: T + 1 }), ours('undone', { required: false, allowedStatuses: ['REFUNDED'] })],
      [],
      T,
    );
    expect(result).toEqual({ differences: [], matched: 0, withinGrace: 1 });
  });

  it('says what each side holds (never more than ids, amounts, statuses and times)', () => {
    const [d] = classify('ESU', [ours('x')], [theirs('x', { amountTiyn: 5 })], T + 1).differences;
    expect(d).toEqual({
      kind: 'AMOUNT_MISMATCH',
      recordId: 'dep-x',
      operationId: 'x',
      operationKind: 'DEPOSIT',
      ours: { amountTiyn: 1000, status: 'COMPLETED', at: new Date(T).toISOString() },
      theirs: { amountTiyn: 5, status: 'COMPLETED', at: new Date(T).toISOString() },
      message: 'dep-x: 1000 tiyn at ours, 5 at ESU',
    });
  });
});

describe('what a counterpart must hold', () => {
  it('ESU holds what it gave a receipt for; Nomapay a completed deposit or payout, and no completed transfer of an undone one', () => {
    expect(expectationAt('ESU', 'BET', 'ACCEPTED', true)).toEqual({ required: true, allowedStatuses: ['RECORDED'] });
    expect(expectationAt('ESU', 'DEPOSIT', 'COMPENSATED', false)).toBeUndefined();
    expect(expectationAt('NOMAPAY', 'DEPOSIT', 'COMPLETED', true)).toEqual({
      required: true,
      allowedStatuses: ['COMPLETED'],
    });
    expect(expectationAt('NOMAPAY', 'PAYOUT', 'COMPENSATED', false)).toEqual({
      required: false,
      allowedStatuses: ['REFUNDED'],
    });
    expect(expectationAt('NOMAPAY', 'BET', 'ACCEPTED', true)).toBeUndefined();
    expect(expectationAt('NOMAPAY', 'DEPOSIT', 'DEBITING_WALLET', false)).toEqual({ required: false });
  });

  it('AFM holds what it acknowledged, rejected where we hold it rejected', () => {
    expect(afmExpectation('ACKNOWLEDGED', true)).toEqual({
      required: true,
      allowedStatuses: ['ACCEPTED_FOR_PROCESSING', 'ACCEPTED'],
    });
    expect(afmExpectation('CORRECTED', true)).toEqual({ required: true, allowedStatuses: ['REJECTED'] });
    expect(afmExpectation('QUEUED', false)).toEqual({ required: false });
  });
});

describe('Almaty days and pages', () => {
  it('bounds a day at Almaty midnight and pages with an opaque cursor', () => {
    expect(almatyDayBounds('2026-12-31')).toEqual({
      fromMs: Date.parse('2026-12-30T19:00:00Z'),
      toMs: Date.parse('2026-12-31T19:00:00Z'),
    });
    expect(almatyDay(Date.parse('2026-12-31T19:00:00Z'))).toBe('2027-01-01');
    const items = [1, 2, 3, 4, 5];
    expect(pageOf(items, { date: '2026-12-01', limit: 2 })).toEqual({ items: [1, 2], nextCursor: '2', hasMore: true });
    expect(pageOf(items, { date: '2026-12-01', limit: 2, cursor: '4' })).toEqual({ items: [5], hasMore: false });
  });

  it('says so when a day has no difference', () => {
    expect(summarise('2026-12-01', 'CLEAN', 0, [])).toBe(
      '2026-12-01: no difference — our records, the ledger, ESU, Nomapay and AFM agree',
    );
    expect(summarise('2026-12-01', 'INCOMPLETE', 2, ['AFM'])).toMatch(
      /incomplete — AFM could not be reconciled; 2 difference/,
    );
  });
});

describe('the day of a listing', () => {
  it('is a real calendar day in the years records are held for', async () => {
    const { ListingDate } = await import('../../domain/wire/listings.js');
    expect(ListingDate.safeParse('2026-12-31').success).toBe(true);
    for (const bad of ['2026-02-30', '2026-13-01', '0000-01-01', '2026-1-01', '2026-12-31T00:00'])
      expect(ListingDate.safeParse(bad).success, bad).toBe(false);
  });
});
