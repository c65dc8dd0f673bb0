import { z } from 'zod';

/**
 * Working days on the Kazakhstan calendar (REQ-AFM-16): AFM says why it could not accept data "within 1 working
 * day" (AFM order No. 9, item 5(3)), not 24 hours and not a calendar day. The calendar is data that ops update every year
 * from the Government decree (config/calendar/kz-working-days.json); nothing here reads it, the activities do.
 * Dates are local dates ('YYYY-MM-DD') at the calendar's offset: Kazakhstan has one zone, UTC+05:00, since
 * March 2024.
 */
const DAY_MS = 86_400_000;
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-23')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'is not a calendar date');

const NamedDay = z.object({
  date: LocalDate,
  name: z.string().min(1),
  /** Not yet set: a moved day the year's decree has not fixed, a lunar holiday's estimated date (Kurban Ait). */
  forecast: z.boolean().optional(),
  /** Where the date comes from (the decree, or why it is a forecast). */
  source: z.string().optional(),
});

export const WorkingDayCalendarFile = z
  .object({
    about: z.string().optional(),
    utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'must be a UTC offset like +05:00'),
    weekend: z.array(z.enum(WEEKDAYS)).max(6),
    /** The years the file was written for; elsewhere only the weekend counts. */
    years: z.array(z.number().int().min(2000).max(2100)).min(1),
    /** Public holidays and the days off moved from them or by decree, each listed explicitly. */
    daysOff: z.array(NamedDay),
    /** Weekend days the decree makes working (a working Saturday). */
    workingDays: z.array(NamedDay).default([]),
  })
  .superRefine((file, ctx) => {
    const off = new Set(file.daysOff.map((d) => d.date));
    file.workingDays.forEach((d, i) => {
      if (off.has(d.date))
        ctx.addIssue({
          code: 'custom',
          path: ['workingDays', i, 'date'],
          message: `${d.date} is also listed as a day off`,
        });
    });
  });
export type WorkingDayCalendarFile = z.input<typeof WorkingDayCalendarFile>;

/** The calendar ready for lookups. */
export interface WorkingDayCalendar {
  offsetMinutes: number;
  weekend: ReadonlySet<number>;
  daysOff: ReadonlyMap<string, string>;
  workingDays: ReadonlyMap<string, string>;
  years: ReadonlySet<number>;
  /** The entries marked `forecast`, date → name. */
  forecasts: ReadonlyMap<string, string>;
}

export function compileCalendar(raw: unknown): WorkingDayCalendar {
  const file = WorkingDayCalendarFile.parse(raw);
  const [, sign, hh, mm] = /^([+-])(\d{2}):(\d{2})$/.exec(file.utcOffset)!;
  const offset = Number(hh) * 60 + Number(mm);
  return {
    offsetMinutes: sign === '-' ? -offset : offset,
    weekend: new Set(file.weekend.map((d) => WEEKDAYS.indexOf(d))),
    daysOff: new Map(file.daysOff.map((d) => [d.date, d.name])),
    workingDays: new Map(file.workingDays.map((d) => [d.date, d.name])),
    years: new Set(file.years),
    forecasts: new Map([...file.daysOff, ...file.workingDays].filter((d) => d.forecast).map((d) => [d.date, d.name])),
  };
}

/** The local date of an instant. */
export function localDate(ms: number, calendar: WorkingDayCalendar): string {
  return new Date(ms + calendar.offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The instant a local date begins (00:00 local). */
export function startOfLocalDay(date: string, calendar: WorkingDayCalendar): number {
  return Date.parse(`${date}T00:00:00Z`) - calendar.offsetMinutes * 60_000;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether the calendar was written for this date's year (outside it, only the weekend is known). */
export function calendarCovers(date: string, calendar: WorkingDayCalendar): boolean {
  return calendar.years.has(Number(date.slice(0, 4)));
}

export function isWorkingDay(date: string, calendar: WorkingDayCalendar): boolean {
  if (calendar.workingDays.has(date)) return true;
  if (calendar.daysOff.has(date)) return false;
  return !calendar.weekend.has(new Date(`${date}T00:00:00Z`).getUTCDay());
}

/** The `n`th working day after `date` (n = 0: `date` itself). */
export function addWorkingDays(date: string, n: number, calendar: WorkingDayCalendar): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days to add must be a whole number ≥ 0, not ${n}`);
  let current = date;
  for (let left = n; left > 0;) {
    current = addDays(current, 1);
    if (isWorkingDay(current, calendar)) left -= 1;
  }
  return current;
}

/**
 * The end of the next working day after the day of `ms`, as the instant it ends (00:00 local of the day after,
 * exclusive). Whatever time of day something happens, its "1 working day" is the whole next working day.
 */
export function endOfNextWorkingDay(ms: number, calendar: WorkingDayCalendar): number {
  return startOfLocalDay(addDays(addWorkingDays(localDate(ms, calendar), 1, calendar), 1), calendar);
}

/**
 * The officers' due time to correct and resubmit a rejected submission: 1 working day, counted as AFM's rejection
 * window is (afm-rejection-window.ts).
 */
export function officerDueAt(rejectedAtMs: number, calendar: WorkingDayCalendar): number {
  return endOfNextWorkingDay(rejectedAtMs, calendar);
}

/** Whether every day from `fromMs` to `toMs` lies in the years the calendar was written for. */
export function calendarCoversRange(fromMs: number, toMs: number, calendar: WorkingDayCalendar): boolean {
  for (let date = localDate(fromMs, calendar); startOfLocalDay(date, calendar) <= toMs; date = addDays(date, 1)) {
    if (!calendarCovers(date, calendar)) return false;
  }
  return true;
}

/** What an officer must be told about a deadline the calendar computed, rather than have it silently assumed. */
export interface CalendarCaveats {
  /** Forecast entries the deadline may depend on: within a day of the window (a lunar date or a decree may shift it). */
  forecastDays: { date: string; name: string }[];
  /** The window runs past the years the file was written for: there only Saturday and Sunday were counted. */
  beyondCalendar: boolean;
}

/**
 * The caveats of a window from `fromMs` to `toMs` (a rejection window, an officer's due date). Its end depends on
 * every day it spans; a forecast entry within a day of it could move the end if the decree (or the date's
 * authority) sets it otherwise.
 */
export function calendarCaveats(fromMs: number, toMs: number, calendar: WorkingDayCalendar): CalendarCaveats {
  const first = addDays(localDate(fromMs, calendar), -1);
  const last = addDays(localDate(Math.max(fromMs, toMs - 1), calendar), 1);
  const forecastDays = [...calendar.forecasts]
    .filter(([date]) => date >= first && date <= last)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, name]) => ({ date, name }));
  return { forecastDays, beyondCalendar: !calendarCoversRange(fromMs, toMs, calendar) };
}
