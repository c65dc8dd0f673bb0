import { randomBytes } from 'node:crypto';
import { withCheckDigit } from '../../domain/iin.js';

/** A unique business key per test (STYLE anti-pattern 5: no fixed ids shared across tests). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

const issued = new Set<string>();
const pick = (from: number, count: number) => from + (randomBytes(2).readUInt16BE() % count);

/**
 * A valid IIN, unique per call: an adult born 1960–1999 on a random date unless `year` is given (then that
 * year, 17 May, for age-specific tests), with random serial digits and the computed check digit. Tests that
 * share a database across files need bettors that do not collide, so the date varies too (≈ 10^8 numbers);
 * within a process no number is handed out twice. Retries the rare prefixes for which no check digit exists.
 */
export function adultIin(year?: number, month?: number, day?: number): string {
  for (;;) {
    const y = year ?? pick(1960, 40);
    const m = month ?? (year === undefined ? pick(1, 12) : 5);
    const d = day ?? (year === undefined ? pick(1, 28) : 17);
    const serial = String(pick(0, 10_000)).padStart(4, '0');
    const century = y >= 2000 ? '5' : '3';
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
