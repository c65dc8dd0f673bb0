import { z } from 'zod';
import {
  addDays,
  addWorkingDays,
  calendarCaveats,
  isWorkingDay,
  localDate,
  startOfLocalDay,
  type CalendarCaveats,
  type WorkingDayCalendar,
} from './working-days.js';

/**
 * Planned maintenance of state systems (the e-government integration rules, item 48): by default 21:00–06:00 local and on weekends and
 * holidays. Reports must not fail during it: they wait and go through after it. A window only matters when the
 * counterpart is actually down; the submission workflow asks `maintenanceWindowAt` after a failed round.
 */
const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 21:00');

export const MaintenanceConfig = z.object({
  /** Daily windows in local time; `to` before `from` crosses midnight (21:00–06:00). */
  daily: z.array(
    z
      .object({ from: HourMinute, to: HourMinute })
      .refine((w) => w.from !== w.to, 'a window must not start and end at the same time'),
  ),
  /** Whole weekends and holidays (by the working-day calendar). */
  nonWorkingDays: z.boolean(),
});
export type MaintenanceConfig = z.infer<typeof MaintenanceConfig>;

export const DEFAULT_MAINTENANCE_WINDOWS = '21:00-06:00,non-working-days';

/** `21:00-06:00,non-working-days` (the default), any list of `HH:MM-HH:MM` and `non-working-days`, or `off`. */
export function parseMaintenanceWindows(text: string): MaintenanceConfig {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 1 && parts[0] === 'off') return { daily: [], nonWorkingDays: false };
  const daily: { from: string; to: string }[] = [];
  let nonWorkingDays = false;
  for (const part of parts) {
    if (part === 'non-working-days') nonWorkingDays = true;
    else {
      const [from, to, ...rest] = part.split('-');
      if (!from || !to || rest.length) throw new RangeError(`"${part}" is neither HH:MM-HH:MM nor non-working-days`);
      daily.push({ from, to });
    }
  }
  return MaintenanceConfig.parse({ daily, nonWorkingDays });
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The latest end of the windows that contain `ms` (each taken alone), or undefined. */
function segmentEnd(ms: number, config: MaintenanceConfig, calendar: WorkingDayCalendar): number | undefined {
  const date = localDate(ms, calendar);
  const midnight = startOfLocalDay(date, calendar);
  const minuteOfDay = Math.floor((ms - midnight) / 60_000);
  const ends: number[] = [];
  if (config.nonWorkingDays && !isWorkingDay(date, calendar)) ends.push(startOfLocalDay(addDays(date, 1), calendar));
  for (const { from, to } of config.daily) {
    const [f, t] = [minutes(from), minutes(to)];
    if (f < t && minuteOfDay >= f && minuteOfDay < t) ends.push(midnight + t * 60_000);
    if (f > t && minuteOfDay >= f) ends.push(startOfLocalDay(addDays(date, 1), calendar) + t * 60_000);
    if (f > t && minuteOfDay < t) ends.push(midnight + t * 60_000);
  }
  return ends.length ? Math.max(...ends) : undefined;
}

/**
 * When `ms` falls in a maintenance window, the instant the window ends, following windows that touch (a
 * Friday night runs into the weekend, the weekend into Monday 06:00); otherwise undefined.
 */
export function maintenanceWindowAt(
  ms: number,
  config: MaintenanceConfig,
  calendar: WorkingDayCalendar,
): number | undefined {
  let cursor = ms;
  // A bounded walk: a run of more than 60 joined days means a broken calendar, not maintenance.
  for (let i = 0; i < 120; i++) {
    const end = segmentEnd(cursor, config, calendar);
    if (end === undefined || end <= cursor) break;
    cursor = end;
  }
  return cursor > ms ? cursor : undefined;
}

/**
 * A counterpart's announced planned window, as an administrator records it in the console (the e-government integration rules, item 48:
 * planned works are announced at least 3 working days ahead). Only such a window silences the "unreachable"
 * detector; anything else — in the past, announced late, too long, years away — is an unplanned outage and
 * is refused, each problem naming its field.
 */
export const PLANNED_NOTICE_WORKING_DAYS = 3;
/** How far ahead a window may be recorded: a year (further is a typing error, not a plan). */
export const PLANNED_HORIZON_MS = 366 * 86_400_000;

export interface WindowProblem {
  field: 'startsAt' | 'endsAt';
  message: string;
}

export function plannedWindowProblems(
  window: { startsAtMs: number; endsAtMs: number },
  nowMs: number,
  calendar: WorkingDayCalendar,
  maxLengthMs: number,
): WindowProblem[] {
  const problems: WindowProblem[] = [];
  const { startsAtMs, endsAtMs } = window;
  if (startsAtMs <= nowMs)
    problems.push({
      field: 'startsAt',
      message: 'must be in the future: a window that has begun is an unplanned outage, not planned maintenance',
    });
  else if (startsAtMs > nowMs + PLANNED_HORIZON_MS)
    problems.push({ field: 'startsAt', message: 'must be within a year from now' });
  else {
    const earliest = addWorkingDays(localDate(nowMs, calendar), PLANNED_NOTICE_WORKING_DAYS, calendar);
    if (localDate(startsAtMs, calendar) < earliest) {
      problems.push({
        field: 'startsAt',
        message: `must be announced at least ${PLANNED_NOTICE_WORKING_DAYS} working days ahead (the e-government integration rules, item 48): the earliest day now is ${earliest}`,
      });
    }
  }
  if (endsAtMs <= startsAtMs) problems.push({ field: 'endsAt', message: 'must be after startsAt' });
  else if (endsAtMs - startsAtMs > maxLengthMs)
    problems.push({
      field: 'endsAt',
      message: `makes the window longer than the ${Math.round(maxLengthMs / 3600_000)} h a planned window may last`,
    });
  return problems;
}

/**
 * What the answer to a recorded window must say about its notice period: the 3-working-day count from today
 * (the e-government integration rules, item 48) crosses a day the calendar only forecasts, or runs past the
 * calendar's years (only Saturdays and Sundays counted there). The window is accepted all the same — the
 * counterpart announced it, and refusing would make the detectors treat announced works as an outage — and the
 * administrator is told to check the count against the decree. Undefined when there is nothing to say.
 */
export function plannedNoticeCaveats(nowMs: number, calendar: WorkingDayCalendar): CalendarCaveats | undefined {
  const earliest = addWorkingDays(localDate(nowMs, calendar), PLANNED_NOTICE_WORKING_DAYS, calendar);
  const caveats = calendarCaveats(nowMs, startOfLocalDay(earliest, calendar), calendar);
  return caveats.forecastDays.length || caveats.beyondCalendar ? caveats : undefined;
}
