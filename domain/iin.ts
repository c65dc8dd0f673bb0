import { z } from 'zod';

/**
 * Kazakhstan individual identification number (ИИН/ЖСН): 12 digits, the first six the date of birth
 * (YYMMDD), the seventh the century and sex, the twelfth a check digit (mod 11, two weight passes).
 * AFM order No. 9, annex 2 field 1 and ЦОИД rules §24 both key on it, and an abandoned ЦОИД session is billed
 * (ЦОИД rules §66), so it is validated before anything is sent.
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

export interface BirthDate {
  year: number;
  month: number;
  day: number;
}

/** The date digits with the century of the 7th digit, whether or not such a day exists. */
function encodedBirthDate(iin: string): BirthDate | undefined {
  if (!/^\d{6}[1-6]/.test(iin)) return undefined;
  const century = 1800 + Math.floor((Number(iin[6]) - 1) / 2) * 100;
  return { year: century + Number(iin.slice(0, 2)), month: Number(iin.slice(2, 4)), day: Number(iin.slice(4, 6)) };
}

function isRealDate({ year, month, day }: BirthDate): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The date of birth an IIN encodes (YYMMDD, the century from the 7th digit), or `undefined` when it encodes
 * none: a 7th digit other than 1–6 (legal entities, foreigners' temporary numbers) or a day that does not
 * exist (31 February).
 */
export function iinBirthDate(iin: string): BirthDate | undefined {
  const birth = encodedBirthDate(iin);
  return birth && isRealDate(birth) ? birth : undefined;
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

/**
 * A person's IIN: 12 digits, a 7th digit of 1–6 (the century of birth and sex: 1–2 the 19th, 3–4 the 20th,
 * 5–6 the 21st century), a date of birth that exists in that century, and a matching check digit. Legal
 * entities' numbers (BIN) and other 7th digits are not people and cannot bet.
 */
export const Iin = z
  .string()
  .regex(/^\d{12}$/, { message: 'IIN must be exactly 12 digits', abort: true })
  .refine((iin) => iinCheckDigit(iin.slice(0, 11)) === Number(iin[11]), {
    message: 'IIN check digit does not match',
    abort: true,
  })
  .refine((iin) => encodedBirthDate(iin) !== undefined, {
    message: "IIN's 7th digit must be 1–6 (the century of birth and sex of a person)",
    abort: true,
  })
  .refine((iin) => iinBirthDate(iin) !== undefined, 'IIN does not encode a real date of birth');
export type Iin = z.infer<typeof Iin>;
