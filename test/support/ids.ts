import { randomBytes } from 'node:crypto';
import { bettorAgeOn, MINIMUM_BETTOR_AGE } from '../../domain/bettor-age.js';
import { withCheckDigit } from '../../domain/iin.js';

/** A unique business key per test ( no fixed ids shared across tests). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

const issued = new Set<string>();
const pick = (from: number, count: number) => from + (randomBytes(2).readUInt16BE() % count);

/**
 * A valid IIN, unique per call, born on the given date or, for each part left out, a random one (1960–1999,
 * any month, days 1–28), of either sex (the 7th digit: 3/4 in the 1900s, 5/6 in the 2000s), with random serial
 * digits and the computed check digit. Tests that share a database across files need bettors that do not
 * collide, so the date varies too (≈ 10^8 numbers); within a process no number is handed out twice. Retries
 * the rare prefixes for which no check digit exists.
 */
export function iinBornIn(year?: number, month?: number, day?: number): string {
  for (;;) {
    const y = year ?? pick(1960, 40);
    const m = month ?? (year === undefined ? pick(1, 12) : 5);
    const d = day ?? (year === undefined ? pick(1, 28) : 17);
    const serial = String(pick(0, 10_000)).padStart(4, '0');
    const century = String((y >= 2000 ? 5 : 3) + pick(0, 2));
    const first11 = `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${century}${serial}`;
    let iin: string;
    try {
      iin = withCheckDigit(first11);
    } catch {
      continue;
    }
    if (issued.has(iin)) continue;
    issued.add(iin);
    return iin;
  }
}

/**
 * A bettor's IIN: as `iinBornIn`, and old enough to deposit and bet today (21, domain/bettor-age.ts); asking
 * for a birth date that is not is a mistake in the test, so it throws. Under-age bettors come from
 * `iinBornIn` with a recent year.
 */
export function adultIin(year?: number, month?: number, day?: number): string {
  const iin = iinBornIn(year, month, day);
  const age = bettorAgeOn(iin, new Date());
  if (age === undefined || age < MINIMUM_BETTOR_AGE)
    throw new RangeError(`adultIin(${year}, ${month}, ${day}) would be ${age}: use iinBornIn for an under-age bettor`);
  return iin;
}

/** The first valid IIN with this birth date (YYMMDD) and 7th digit: for tests at an exact birthday. */
export function born(yymmdd: string, century: string): string {
  for (let serial = 0; ; serial++) {
    try {
      return withCheckDigit(`${yymmdd}${century}${String(serial).padStart(4, '0')}`);
    } catch {
      continue;
    }
  }
}
