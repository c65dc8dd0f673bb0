/**
 * The one duration format of esu-bridge's configuration: a whole number and a unit, `500ms`, `90s`, `5m`, `3h` or
 * `1d`. Lists (incident reminders) separate them with commas: `12h, 4h, 90m`.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

export const DURATION_EXAMPLE = 'a duration like 90s, 5m, 3h, 1d or 500ms';

/** Milliseconds of one duration; a RangeError for anything else (`12 hours`, `1.5h`, `90`). */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new RangeError(`"${text.trim()}" is not ${DURATION_EXAMPLE}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `24h,12h,4h,1h`: milliseconds of each, in order; empty parts are skipped. */
export function parseDurationList(text: string): number[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(parseDuration);
}
