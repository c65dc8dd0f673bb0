import { describe, expect, it } from 'vitest';
import { ageOn, Iin, iinBirthDate, iinCheckDigit, withCheckDigit } from '../../domain/iin.js';
import { bettorAgeOn, MINIMUM_BETTOR_AGE } from '../../domain/bettor-age.js';
import { adultIin, iinBornIn } from '../support/ids.js';
import { planBettors } from '../support/migration-data.js';

/** A number with these first 7 digits and a valid check digit (some serials have none). */
function iinStarting(first7: string): string {
  for (let serial = 0; ; serial++) {
    try {
      return withCheckDigit(first7 + String(serial).padStart(4, '0'));
    } catch {
      continue;
    }
  }
}

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

  it('refuses a 7th digit outside 1–6: such a number names no person (century and sex)', () => {
    for (const digit of ['0', '7', '8', '9']) {
      const iin = iinStarting(`900517${digit}`);
      expect(
        Iin.safeParse(iin).error?.issues.map((i) => i.message),
        digit,
      ).toEqual(["IIN's 7th digit must be 1–6 (the century of birth and sex of a person)"]);
      expect(iinBirthDate(iin)).toBeUndefined();
    }
    for (const digit of ['1', '2', '3', '4', '5', '6'])
      expect(Iin.safeParse(iinStarting(`000101${digit}`)).success, digit).toBe(true);
  });

  it('refuses a birth date that does not exist in the century of the 7th digit', () => {
    const feb29 = (yy: string, century: string) =>
      Iin.safeParse(iinStarting(`${yy}0229${century}`)).error?.issues[0]?.message;
    const notReal = 'IIN does not encode a real date of birth';
    expect(feb29('04', '5')).toBeUndefined(); // 2004: a leap year
    expect(feb29('00', '5')).toBeUndefined(); // 2000: a leap year (divisible by 400)
    expect(feb29('00', '3')).toBe(notReal); // 1900: not a leap year, though 00 is in 2000
    expect(feb29('00', '1')).toBe(notReal); // 1800
    expect(feb29('96', '4')).toBeUndefined(); // 1996
    for (const date of ['900231', '901301', '900000', '900132', '900431']) {
      const iin = iinStarting(`${date}3`);
      expect(Iin.safeParse(iin).error?.issues[0]?.message, date).toBe(notReal);
      expect(iinBirthDate(iin)).toBeUndefined();
    }
  });

  it('test IINs are valid under these rules and belong to bettors of at least 21', () => {
    const now = new Date();
    const generated = [
      ...Array.from({ length: 500 }, () => adultIin()),
      adultIin(1960),
      adultIin(1999, 12, 31),
      adultIin(2000, 1, 1),
      ...planBettors(200, 'p').map((b) => b.iin),
    ];
    for (const iin of generated) {
      expect(Iin.safeParse(iin).success, iin).toBe(true);
      expect(bettorAgeOn(iin, now)).toBeGreaterThanOrEqual(MINIMUM_BETTOR_AGE);
    }
    // Both sexes, in the century of the birth year.
    expect(new Set(generated.slice(0, 500).map((iin) => iin[6]))).toEqual(new Set(['3', '4']));
    expect(['5', '6']).toContain(adultIin(2001)[6]);
    expect(() => adultIin(2010)).toThrow(RangeError);
    const minor = iinBornIn(2010);
    expect(Iin.safeParse(minor).success).toBe(true);
    expect(bettorAgeOn(minor, now)).toBeLessThan(MINIMUM_BETTOR_AGE);
  });
});
