import { describe, expect, it } from 'vitest';
import { bettorAgeOn, MINIMUM_BETTOR_AGE, underageRefusal } from '../../domain/bettor-age.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../domain/errors.js';
import { born } from '../support/ids.js';

describe('the bettor’s age', () => {
  const turns21 = born('051122', '6'); // born 2005-11-22

  it('counts whole years on the Kazakhstan calendar day (UTC+05:00)', () => {
    expect(MINIMUM_BETTOR_AGE).toBe(21);
    // Local midnight of the 21st birthday is 19:00 UTC the day before.
    expect(bettorAgeOn(turns21, new Date('2026-11-21T18:59:59Z'))).toBe(20);
    expect(bettorAgeOn(turns21, new Date('2026-11-21T19:00:00Z'))).toBe(21);
    expect(bettorAgeOn(turns21, new Date('2027-11-21T18:59:59Z'))).toBe(21);
    expect(bettorAgeOn(born('900517', '3'), new Date('2026-05-16T12:00:00Z'))).toBe(35);
    expect(bettorAgeOn(born('000101', '1'), new Date('2026-01-01T00:00:00Z'))).toBe(226);
  });

  it('has a 29 February bettor come of age on 1 March in a common year', () => {
    const leapling = born('040229', '5'); // 2004-02-29
    expect(bettorAgeOn(leapling, new Date('2025-02-28T12:00:00+05:00'))).toBe(20);
    expect(bettorAgeOn(leapling, new Date('2025-03-01T00:00:00+05:00'))).toBe(21);
  });

  it('has no age for an IIN without a date of birth', () => {
    expect(bettorAgeOn(born('900517', '0'), new Date())).toBeUndefined();
    expect(bettorAgeOn('12345', new Date())).toBeUndefined();
  });

  it('refuses a bettor under 21 with BettorUnderage, never naming the IIN or the date of birth', () => {
    const refusal = underageRefusal(turns21, new Date('2026-11-21T18:59:59Z'));
    expect(refusal).toEqual({
      type: 'BettorUnderage',
      message: 'the bettor must be at least 21 years old to deposit or bet',
    });
    expect(refusal!.message).not.toMatch(/\d{6}|2005|11-22/);
    expect(underageRefusal(turns21, new Date('2026-11-21T19:00:00Z'))).toBeUndefined();
    expect(underageRefusal(born('260101', '6'), new Date('2026-06-01T00:00:00Z'))?.type).toBe(ErrorType.BettorUnderage);
    // Born after `at` (a wrong clock, a mistyped year): not 21 either.
    expect(underageRefusal(born('300101', '6'), new Date('2026-06-01T00:00:00Z'))?.type).toBe(ErrorType.BettorUnderage);
  });

  it('refuses an IIN that encodes no date of birth: nobody can show its holder is 21', () => {
    expect(underageRefusal(born('900517', '7'), new Date())).toEqual({
      type: 'BettorUnderage',
      message: 'the IIN encodes no date of birth, so the bettor cannot be shown to be at least 21',
    });
  });

  it('is a closed, non-retryable failure type', () => {
    expect(ErrorType.BettorUnderage).toBe('BettorUnderage');
    expect(NON_RETRYABLE_ERROR_TYPES).toContain(ErrorType.BettorUnderage);
    expect(NON_RETRYABLE_ERROR_TYPES).toContain(ErrorType.DataRejected);
  });
});
