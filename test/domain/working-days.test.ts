import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  calendarCaveats,
  calendarCoversRange,
  compileCalendar,
  isWorkingDay,
  localDate,
  officerDueAt,
  WorkingDayCalendarFile,
} from '../../domain/working-days.js';
import { afmRejectionWindowEnd } from '../../domain/afm-rejection-window.js';
import { kz, shippedCalendar as calendar } from '../support/unit-calendar.js';

describe('Kazakhstan working days', () => {
  it('counts Saturdays and Sundays as days off, weekdays as working', () => {
    expect(isWorkingDay('2026-12-04', calendar)).toBe(true); // Friday
    expect(isWorkingDay('2026-12-05', calendar)).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-06', calendar)).toBe(false); // Sunday
    expect(isWorkingDay('2026-12-07', calendar)).toBe(true); // Monday
  });

  it('knows the public holidays and the days off moved from a weekend (Nauryz 2026: 21–25 March)', () => {
    for (const day of [
      '2026-03-23',
      '2026-03-24',
      '2026-03-25',
      '2026-12-16',
      '2026-05-27',
      '2027-05-03',
      '2027-01-04',
    ]) {
      expect(isWorkingDay(day, calendar), day).toBe(false);
    }
    expect(isWorkingDay('2026-03-20', calendar)).toBe(true);
    expect(isWorkingDay('2026-03-26', calendar)).toBe(true);
    expect(addWorkingDays('2026-03-20', 1, calendar)).toBe('2026-03-26');
  });

  it('takes the day of an instant in UTC+05:00, not in UTC', () => {
    // 20:30 UTC on Thursday is 01:30 on Friday in Almaty.
    expect(localDate(Date.parse('2026-12-03T20:30:00Z'), calendar)).toBe('2026-12-04');
  });

  it('gives officers the same 1 working day to correct a rejection', () => {
    expect(officerDueAt(kz('2027-03-19T11:00:00'), calendar)).toBe(kz('2027-03-26T00:00:00'));
  });

  it('falls back to weekends only outside the years the calendar was written for, and says so', () => {
    expect(calendarCoversRange(kz('2027-12-30T10:00:00'), kz('2027-12-31T10:00:00'), calendar)).toBe(true);
    expect(calendarCoversRange(kz('2027-12-31T10:00:00'), kz('2028-01-03T00:00:00'), calendar)).toBe(false);
    expect(isWorkingDay('2028-01-03', calendar)).toBe(true); // a Monday; 2028's holidays are not in the file yet
  });

  it('honours a working Saturday set by decree', () => {
    const decree = compileCalendar({
      utcOffset: '+05:00',
      weekend: ['SATURDAY', 'SUNDAY'],
      years: [2026],
      daysOff: [],
      workingDays: [{ date: '2026-12-05', name: 'working Saturday' }],
    });
    expect(isWorkingDay('2026-12-05', decree)).toBe(true);
    expect(afmRejectionWindowEnd(kz('2026-12-04T19:00:00'), decree)).toBe(kz('2026-12-06T00:00:00'));
  });

  it('refuses a calendar file with a bad date, naming it', () => {
    const parsed = WorkingDayCalendarFile.safeParse({
      utcOffset: '+05:00',
      weekend: ['SUNDAY'],
      years: [2026],
      daysOff: [{ date: '2026-02-30', name: 'x' }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['daysOff', 0, 'date']);
  });
});

describe('forecast entries of the calendar (issue 14)', () => {
  it('marks 2027 Kurban Ait and the moved days the 2027 decree has not set as forecasts, and no 2026 entry', () => {
    expect([...calendar.forecasts.keys()].sort()).toEqual([
      '2027-01-04',
      '2027-03-24',
      '2027-05-03',
      '2027-05-10',
      '2027-05-16',
    ]);
    expect(calendar.forecasts.get('2027-05-16')).toMatch(/Kurban Ait/);
    expect([...calendar.forecasts.keys()].some((d) => d.startsWith('2026'))).toBe(false);
  });

  it('names the forecast days a window may depend on, within a day of it, and nothing for a window clear of them', () => {
    // Rejected Friday 14 May 2027: due at the end of Monday 17 May, spanning the forecast Kurban Ait (Sunday 16 May).
    const rejected = kz('2027-05-14T10:00:00');
    const due = officerDueAt(rejected, calendar);
    expect(calendarCaveats(rejected, due, calendar)).toEqual({
      forecastDays: [{ date: '2027-05-16', name: expect.stringMatching(/Kurban Ait/) }],
      beyondCalendar: false,
    });
    // Acknowledged Tuesday 11 May 2027: the window ends with Wednesday 12 May; 10 May (a forecast) is a day before it.
    const ack = kz('2027-05-11T10:00:00');
    expect(
      calendarCaveats(ack, afmRejectionWindowEnd(ack, calendar), calendar).forecastDays.map((d) => d.date),
    ).toEqual(['2027-05-10']);
    const june = kz('2027-06-08T10:00:00');
    expect(calendarCaveats(june, officerDueAt(june, calendar), calendar)).toEqual({
      forecastDays: [],
      beyondCalendar: false,
    });
    const december = kz('2026-12-02T10:00:00');
    expect(calendarCaveats(december, officerDueAt(december, calendar), calendar)).toEqual({
      forecastDays: [],
      beyondCalendar: false,
    });
  });

  it('flags a window that runs past the years the file covers', () => {
    const lastDay = Date.parse('2027-12-31T12:00:00+05:00');
    expect(calendarCaveats(lastDay, officerDueAt(lastDay, calendar), calendar).beyondCalendar).toBe(true);
  });

  it('reads the forecast mark of a calendar file, and refuses one that is not a boolean', () => {
    const file = {
      utcOffset: '+05:00',
      weekend: ['SATURDAY', 'SUNDAY'],
      years: [2030],
      daysOff: [
        { date: '2030-04-10', name: 'Eid', forecast: true },
        { date: '2030-01-01', name: 'New Year' },
      ],
    };
    expect([...compileCalendar(file).forecasts]).toEqual([['2030-04-10', 'Eid']]);
    expect(() => compileCalendar({ ...file, daysOff: [{ date: '2030-04-10', name: 'Eid', forecast: 'yes' }] })).toThrow(
      /forecast/,
    );
  });
});
