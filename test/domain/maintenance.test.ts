import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAINTENANCE_WINDOWS,
  maintenanceWindowAt,
  parseMaintenanceWindows,
  plannedNoticeCaveats,
  plannedWindowProblems,
} from '../../domain/maintenance.js';
import { kz, shippedCalendar as calendar } from '../support/unit-calendar.js';

const defaults = parseMaintenanceWindows(DEFAULT_MAINTENANCE_WINDOWS);

describe('maintenance windows (the e-government integration rules, item 48)', () => {
  it('is 21:00–06:00 on a working night', () => {
    expect(maintenanceWindowAt(kz('2026-12-01T22:00:00'), defaults, calendar)).toBe(kz('2026-12-02T06:00:00'));
    expect(maintenanceWindowAt(kz('2026-12-02T03:00:00'), defaults, calendar)).toBe(kz('2026-12-02T06:00:00'));
    expect(maintenanceWindowAt(kz('2026-12-01T21:00:00'), defaults, calendar)).toBe(kz('2026-12-02T06:00:00'));
  });

  it('is not during the working day', () => {
    expect(maintenanceWindowAt(kz('2026-12-01T06:00:00'), defaults, calendar)).toBeUndefined();
    expect(maintenanceWindowAt(kz('2026-12-01T12:00:00'), defaults, calendar)).toBeUndefined();
    expect(maintenanceWindowAt(kz('2026-12-01T20:59:00'), defaults, calendar)).toBeUndefined();
  });

  it('runs from Friday night over the weekend to Monday 06:00', () => {
    expect(maintenanceWindowAt(kz('2026-12-04T22:00:00'), defaults, calendar)).toBe(kz('2026-12-07T06:00:00'));
    expect(maintenanceWindowAt(kz('2026-12-05T12:00:00'), defaults, calendar)).toBe(kz('2026-12-07T06:00:00'));
  });

  it('covers holidays too: Independence Day runs into the next morning', () => {
    expect(maintenanceWindowAt(kz('2026-12-16T12:00:00'), defaults, calendar)).toBe(kz('2026-12-17T06:00:00'));
    expect(maintenanceWindowAt(kz('2026-12-15T23:00:00'), defaults, calendar)).toBe(kz('2026-12-17T06:00:00'));
  });

  it('is configurable: other hours, no weekends, or off', () => {
    const nights = parseMaintenanceWindows('22:00-05:00');
    expect(maintenanceWindowAt(kz('2026-12-05T12:00:00'), nights, calendar)).toBeUndefined();
    expect(maintenanceWindowAt(kz('2026-12-05T23:00:00'), nights, calendar)).toBe(kz('2026-12-06T05:00:00'));
    const lunch = parseMaintenanceWindows('13:00-14:00');
    expect(maintenanceWindowAt(kz('2026-12-01T13:30:00'), lunch, calendar)).toBe(kz('2026-12-01T14:00:00'));
    expect(maintenanceWindowAt(kz('2026-12-05T22:00:00'), parseMaintenanceWindows('off'), calendar)).toBeUndefined();
  });

  it('refuses a malformed setting, naming the part', () => {
    expect(() => parseMaintenanceWindows('21:00-06:00,weekends')).toThrow(/"weekends"/);
    expect(() => parseMaintenanceWindows('25:00-06:00')).toThrow(/21:00/);
  });
});

describe('announced planned windows (the e-government integration rules, item 48, issue 14)', () => {
  const now = kz('2026-12-01T10:00:00'); // a Tuesday
  const twelveHours = 12 * 3600_000;
  const check = (from: string, to: string) =>
    plannedWindowProblems({ startsAtMs: kz(from), endsAtMs: kz(to) }, now, calendar, twelveHours);

  it('accepts a window 3 working days ahead within the maximum length', () => {
    expect(check('2026-12-04T22:00:00', '2026-12-05T06:00:00')).toEqual([]);
  });

  it('refuses one announced fewer than 3 working days ahead, naming startsAt and the earliest day', () => {
    const problems = check('2026-12-03T22:00:00', '2026-12-04T02:00:00');
    expect(problems).toEqual([{ field: 'startsAt', message: expect.stringMatching(/3 working days.*2026-12-04/) }]);
  });

  it('counts working days, not calendar days: a weekend does not count towards the notice', () => {
    const friday = kz('2026-12-04T10:00:00');
    const monday = plannedWindowProblems(
      { startsAtMs: kz('2026-12-08T22:00:00'), endsAtMs: kz('2026-12-08T23:00:00') },
      friday,
      calendar,
      twelveHours,
    );
    expect(monday.map((p) => p.field)).toEqual(['startsAt']);
  });

  it('refuses 2000 to 2999, one in the past, one years away and one too long', () => {
    expect(check('2000-01-01T00:00:00', '2999-12-31T00:00:00').map((p) => p.field)).toEqual(['startsAt', 'endsAt']);
    expect(check('2999-01-01T00:00:00', '2999-01-01T04:00:00').map((p) => p.field)).toEqual(['startsAt']);
    expect(check('2026-12-20T08:00:00', '2026-12-20T21:00:00')).toEqual([
      { field: 'endsAt', message: expect.stringMatching(/12 h/) },
    ]);
    expect(check('2026-12-20T08:00:00', '2026-12-20T07:00:00').map((p) => p.field)).toEqual(['endsAt']);
  });
});

describe("a planned window's notice period and the calendar's forecasts", () => {
  it('says when the 3-working-day count crosses a forecast day: 2027-01-04, moved from New Year, not yet decreed', () => {
    const now = kz('2026-12-29T10:00:00'); // Tuesday: 30, 31 Dec, then New Year's days off, the weekend, the forecast Monday
    const caveats = plannedNoticeCaveats(now, calendar);
    expect(caveats?.forecastDays.map((d) => d.date)).toEqual(['2027-01-04']);
    expect(caveats?.beyondCalendar).toBe(false);
    // The window itself is accepted: the forecast is flagged, not a reason to refuse announced works.
    const start = kz('2027-01-06T22:00:00');
    expect(
      plannedWindowProblems({ startsAtMs: start, endsAtMs: start + 3600_000 }, now, calendar, 12 * 3600_000),
    ).toEqual([]);
  });

  it("says when the count runs past the calendar's years, and nothing in an ordinary week", () => {
    const caveats = plannedNoticeCaveats(kz('2027-12-29T10:00:00'), calendar);
    expect(caveats).toMatchObject({ beyondCalendar: true });
    expect(plannedNoticeCaveats(kz('2026-12-01T10:00:00'), calendar)).toBeUndefined();
  });
});
