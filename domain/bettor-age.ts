import { ErrorType } from './errors.js';
import { iinBirthDate } from './iin.js';

/**
 * Betting in Kazakhstan is for people aged 21 and over; ESU's register refuses younger bettors (`UNDER_21`) and
 * stays the authority. esu-bridge checks on its own as well, from the date of birth in the IIN, so a register
 * that answers wrongly cannot let an under-age bettor's deposit or bet through.
 */
export const MINIMUM_BETTOR_AGE = 21;

/** Kazakhstan has kept one time zone, UTC+05:00, since 1 March 2024: a birthday begins at local midnight. */
const KAZAKHSTAN_OFFSET_MS = 5 * 3600_000;

/**
 * The bettor's age in whole years at the instant `at`, counted on the Kazakhstan calendar day, or
 * `undefined` when the IIN encodes no date of birth. Pure: the caller gives the time (workflow time in a
 * workflow, the current time in the client).
 */
export function bettorAgeOn(iin: string, at: Date): number | undefined {
  const birth = iinBirthDate(iin);
  if (!birth) return undefined;
  const local = new Date(at.getTime() + KAZAKHSTAN_OFFSET_MS);
  const [year, month, day] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()];
  const beforeBirthday = month < birth.month || (month === birth.month && day < birth.day);
  return year - birth.year - (beforeBirthday ? 1 : 0);
}

export interface BettorUnderageRefusal {
  type: typeof ErrorType.BettorUnderage;
  message: string;
}

/**
 * Why this bettor may not deposit or bet at `at`, or `undefined` when old enough. An IIN without a date of
 * birth is refused too: nobody can tell that its holder is 21. The message names the rule, never the IIN or
 * the date of birth.
 */
export function underageRefusal(iin: string, at: Date): BettorUnderageRefusal | undefined {
  const age = bettorAgeOn(iin, at);
  if (age === undefined) {
    return {
      type: ErrorType.BettorUnderage,
      message: `the IIN encodes no date of birth, so the bettor cannot be shown to be at least ${MINIMUM_BETTOR_AGE}`,
    };
  }
  if (age >= MINIMUM_BETTOR_AGE) return undefined;
  return {
    type: ErrorType.BettorUnderage,
    message: `the bettor must be at least ${MINIMUM_BETTOR_AGE} years old to deposit or bet`,
  };
}
