import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { isoWithOffset } from '../domain/incident.js';
import { readJournalForExport } from '../store/journal.js';

/**
 * The journal as CSV, whole, for a date range or for one day (National Bank resolution No. 116, item 55(7)), with the six attributes of
 * p.55(11) first, then details and the chain hash so an exported file can be checked against the database.
 * Days are calendar days at the configured UTC offset (Kazakhstan: +05:00 since 1 March 2024, G18).
 */
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-10')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'is not a day of the calendar',
  );

export const JournalRange = z.union([
  z.object({ day: Day }),
  z.object({ from: Day, to: Day }).refine((r) => r.from <= r.to, 'from must not be after to'),
  z.object({ whole: z.literal(true) }),
]);
export type JournalRange = z.infer<typeof JournalRange>;

/** [from, to) in epoch ms for a range, with days starting at midnight in `offsetMinutes`. */
export function rangeBounds(range: JournalRange, offsetMinutes: number): { fromMs?: number; toMs?: number } {
  const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000;
  if ('day' in range) return { fromMs: midnight(range.day), toMs: midnight(range.day) + 86_400_000 };
  if ('from' in range) return { fromMs: midnight(range.from), toMs: midnight(range.to) + 86_400_000 };
  return {};
}

export const CSV_COLUMNS = [
  'seq',
  'started_at',
  'event',
  'actor',
  'record_id',
  'ended_at',
  'result',
  'details',
  'hash',
] as const;

/** One CSV cell: quoted when needed; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const BATCH = 2000;

/** Writes the CSV in batches (the header first) and returns the number of entries written. */
export async function exportJournalCsv(
  pool: Pool,
  range: JournalRange,
  offsetMinutes: number,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  const { fromMs, toMs } = rangeBounds(range, offsetMinutes);
  await write(CSV_COLUMNS.join(',') + '\r\n');
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await readJournalForExport(pool, { after, fromMs, toMs }, BATCH);
    const lines = rows.map((r) =>
      [
        r.seq,
        isoWithOffset(r.started_at.getTime(), offsetMinutes),
        r.event,
        r.actor,
        r.record_id,
        isoWithOffset(r.ended_at.getTime(), offsetMinutes),
        r.result,
        r.details,
        r.hash,
      ]
        .map((v) => csvCell(String(v)))
        .join(','),
    );
    if (lines.length) await write(lines.join('\r\n') + '\r\n');
    count += rows.length;
    if (rows.length < BATCH) return count;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
