import { randomBytes } from 'node:crypto';
import { withCheckDigit } from '../../domain/iin.js';

/** A unique business key per test (STYLE anti-pattern 5: no fixed ids shared across tests). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/**
 * A valid IIN of an adult born in 1990 (century digit 3), unique per call: serial digits vary, and the
 * check digit is computed. Retries the rare prefixes for which no check digit exists.
 */
export function adultIin(year = 1990, month = 5, day = 17): string {
  for (;;) {
    const serial = String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
    const century = year >= 2000 ? '5' : '3';
    const first11 = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${century}${serial}`;
    try {
      return withCheckDigit(first11);
    } catch {
      continue;
    }
  }
}
