import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import type { Pool } from '../../db/pool.js';
import { compileCalendar } from '../../domain/working-days.js';
import { createJournalService } from '../../console/journal-service.js';

/**
 * Recording a counterpart's planned window (the e-government integration rules, item 48: 3 working days' notice):
 * the answer flags a notice count that rests on a forecast day or runs past the calendar's years, as the
 * submissions page does, and the window is recorded all the same.
 */
const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
const kz = (local: string) => Date.parse(`${local}+05:00`);
const admin = { login: 'daniyar', role: 'admin' as const };

function service(nowLocal: string) {
  const inserted: unknown[][] = [];
  const pool = {
    query: async (sql: string, params: unknown[] = []) => {
      if (sql.includes('maintenance_windows')) inserted.push(params);
      return { rows: [{ id: '41' }], rowCount: 1 };
    },
  } as unknown as Pool;
  const journal = createJournalService({
    pool,
    offsetMinutes: 300,
    calendar: async () => calendar,
    now: () => kz(nowLocal),
  });
  return { journal, inserted };
}

const window = (start: string, end: string) => ({
  counterpart: 'esu',
  startsAt: `${start}+05:00`,
  endsAt: `${end}+05:00`,
  note: 'ESU release',
});

describe('planned maintenance: the notice period and the calendar', () => {
  it('accepts a window whose 3-working-day count crosses the forecast 2027-01-04, flagged CALENDAR FORECAST', async () => {
    const { journal, inserted } = service('2026-12-29T10:00:00');
    const out = await journal.addMaintenance(admin, window('2027-01-06T22:00:00', '2027-01-07T02:00:00'));
    expect(out.flags).toEqual(['CALENDAR FORECAST']);
    expect(out.calendarNotice).toMatch(/the 3-working-day notice count depends on 2027-01-04 .*a forecast/);
    expect(inserted).toHaveLength(1);
  });

  it("flags BEYOND CALENDAR when the count runs past the calendar's years", async () => {
    const { journal } = service('2027-12-29T10:00:00');
    const out = await journal.addMaintenance(admin, window('2028-01-10T22:00:00', '2028-01-11T02:00:00'));
    expect(out.flags).toEqual(['BEYOND CALENDAR']);
    expect(out.calendarNotice).toMatch(/runs past the years/);
  });

  it('flags nothing in an ordinary week', async () => {
    const { journal } = service('2026-12-01T10:00:00');
    const out = await journal.addMaintenance(admin, window('2026-12-04T22:00:00', '2026-12-05T02:00:00'));
    expect(out.flags).toEqual([]);
    expect(out).not.toHaveProperty('calendarNotice');
  });
});
