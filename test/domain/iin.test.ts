import { describe, expect, it } from 'vitest';
import { ageOn, Iin, iinBirthDate, iinCheckDigit, withCheckDigit } from '../../domain/iin.js';

describe('IIN', () => {
  it('computes the check digit with the first weight pass', () => {
    // 90051730012 → sum of d[i]*(i+1) = 9+0+0+20+5+42+21+0+0+10+22 = 129; 129 mod 11 = 8
    expect(iinCheckDigit('90051730012')).toBe(8);
    expect(Iin.safeParse('900517300128').success).toBe(true);
  });

  it('falls back to the second weight pass when the first gives 10', () => {
    // 90051730180: the first pass sums to 10 mod 11, so the second pass (weights 3..11,1,2) gives 1.
    const prefix = '90051730180';
    const digits = [...prefix].map(Number);
    const first = digits.reduce((s, d, i) => s + d * (i + 1), 0) % 11;
    const secondWeights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    const second = digits.reduce((s, d, i) => s + d * secondWeights[i]!, 0) % 11;
    expect(first).toBe(10);
    expect(second).toBe(1);
    expect(iinCheckDigit(prefix)).toBe(1);
    expect(Iin.safeParse('900517301801').success).toBe(true);
  });

  it('refuses a wrong check digit, a wrong length and an impossible birth date, naming the rule', () => {
    const valid = withCheckDigit('90051730012');
    const wrong = valid.slice(0, 11) + String((Number(valid[11]) + 1) % 10);
    expect(Iin.safeParse(wrong).error?.issues[0]?.message).toBe('IIN check digit does not match');
    expect(Iin.safeParse('12345').error?.issues[0]?.message).toBe('IIN must be exactly 12 digits');
    const feb30 = withCheckDigit('90023030012');
    expect(Iin.safeParse(feb30).error?.issues[0]?.message).toBe('IIN does not encode a real date of birth');
  });

  it('reads the birth date and the century from the seventh digit', () => {
    expect(iinBirthDate('900517300128')).toEqual({ year: 1990, month: 5, day: 17 });
    expect(iinBirthDate(withCheckDigit('05031250012'))).toEqual({ year: 2005, month: 3, day: 12 });
    expect(iinBirthDate(withCheckDigit('05031200012'))).toBeUndefined();
  });

  it('counts age in whole years, turning 21 on the birthday', () => {
    const iin = withCheckDigit('05112250012'); // born 2005-11-22
    expect(ageOn(iin, new Date('2026-11-21T12:00:00Z'))).toBe(20);
    expect(ageOn(iin, new Date('2026-11-22T00:00:00Z'))).toBe(21);
  });
});
