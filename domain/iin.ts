import { z } from 'zod';

/**
 * Kazakhstan individual identification number (ИИН/ЖСН): 12 digits, the first six the date of birth
 * (YYMMDD), the seventh the century and sex, the twelfth a check digit (mod 11, two weight passes).
 * Seed 001 annex 2 field 1 and seed 002 §24 both key on it, and an abandoned ЦОИД session is billed
 * (seed 002 §66), so it is validated before anything is sent.
 */
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

function weightedMod11(digits: number[], weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += digits[i]! * weights[i]!;
  return sum % 11;
}

/** The check digit for the first 11 digits, or `undefined` when no digit is valid (such numbers are never issued). */
export function iinCheckDigit(first11: string): number | undefined {
  const digits = [...first11].map(Number);
  let check = weightedMod11(digits, FIRST_WEIGHTS);
  if (check === 10) check = weightedMod11(digits, SECOND_WEIGHTS);
  return check === 10 ? undefined : check;
}

/** Completes 11 digits with their check digit: used by tests, demos and the simulators' fixtures. */
export function withCheckDigit(first11: string): string {
  const check = iinCheckDigit(first11);
  if (!/^\d{11}$/.test(first11) || check === undefined) throw new RangeError(`no valid IIN starts with ${first11}`);
  return first11 + String(check);
}

/** Birth date encoded in the IIN, or `undefined` when the century digit is not 1–6 (legal entities, foreigners). */
export function iinBirthDate(iin: string): { year: number; month: number; day: number } | undefined {
  const centuryDigit = Number(iin[6]);
  if (centuryDigit < 1 || centuryDigit > 6) return undefined;
  const century = 1800 + Math.floor((centuryDigit - 1) / 2) * 100;
  return { year: century + Number(iin.slice(0, 2)), month: Number(iin.slice(2, 4)), day: Number(iin.slice(4, 6)) };
}

function isRealDate({ year, month, day }: { year: number; month: number; day: number }): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Age in whole years on the given calendar day (UTC+5 is the caller's concern). */
export function ageOn(iin: string, on: Date): number | undefined {
  const birth = iinBirthDate(iin);
  if (!birth) return undefined;
  let age = on.getUTCFullYear() - birth.year;
  const beforeBirthday =
    on.getUTCMonth() + 1 < birth.month || (on.getUTCMonth() + 1 === birth.month && on.getUTCDate() < birth.day);
  if (beforeBirthday) age -= 1;
  return age;
}

export const Iin = z
  .string()
  .regex(/^\d{12}$/, { message: 'IIN must be exactly 12 digits', abort: true })
  .refine((iin) => iinCheckDigit(iin.slice(0, 11)) === Number(iin[11]), { message: 'IIN check digit does not match', abort: true })
  .refine((iin) => {
    const birth = iinBirthDate(iin);
    return birth === undefined || isRealDate(birth);
  }, 'IIN does not encode a real date of birth');
export type Iin = z.infer<typeof Iin>;
