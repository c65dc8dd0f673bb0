import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { compileCalendar, officerDueAt } from '../../domain/working-days.js';
import { caveatText, submissionCaveats, submissionItem } from '../../console/inboxes/submissions.js';

/** The submissions inbox flags a deadline the calendar can only forecast (issue 14), instead of assuming it. */
const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
const row = (over: Record<string, unknown>) => ({
  id: 'afm-dep-1',
  status: 'REJECTED',
  counterpart: 'AFM',
  attempt: 1,
  created_at: new Date('2027-05-14T05:00:00Z'),
  ...over,
});

describe('submissions inbox: calendar forecasts', () => {
  it('flags a rejection whose due date spans the forecast Kurban Ait 2027, and says so on the page', () => {
    const rejectedAt = new Date('2027-05-14T10:00:00+05:00');
    const r = row({ changed_at: rejectedAt, due_at: new Date(officerDueAt(rejectedAt.getTime(), calendar)) });
    expect(submissionItem(r, 300, calendar).flags).toContain('CALENDAR FORECAST');
    const text = caveatText(submissionCaveats(r, calendar)!, 'the due date');
    expect(text).toMatch(/the due date depends on 2027-05-16 \(Kurban Ait.*\), a forecast/);
  });

  it("flags AFM's rejection window by its own dates, and a window past the calendar's years", () => {
    const ack = row({
      status: 'ACKNOWLEDGED',
      acknowledged_at: new Date('2027-05-11T10:00:00+05:00'),
      window_ends_at: new Date('2027-05-13T00:00:00+05:00'),
    });
    expect(submissionItem(ack, 300, calendar).flags).toContain('CALENDAR FORECAST');
    const late = row({
      changed_at: new Date('2027-12-31T12:00:00+05:00'),
      due_at: new Date('2028-01-04T00:00:00+05:00'),
    });
    expect(submissionItem(late, 300, calendar).flags).toEqual(expect.arrayContaining(['BEYOND CALENDAR']));
    expect(caveatText(submissionCaveats(late, calendar)!, 'the due date')).toMatch(/runs past the years/);
  });

  it('flags nothing for a window clear of forecasts inside the calendar', () => {
    const rejectedAt = new Date('2026-12-02T10:00:00+05:00');
    const r = row({ changed_at: rejectedAt, due_at: new Date(officerDueAt(rejectedAt.getTime(), calendar)) });
    expect(submissionCaveats(r, calendar)).toBeUndefined();
    expect(submissionItem(r, 300, calendar).flags.filter((f) => f.includes('CALENDAR'))).toEqual([]);
  });
});
