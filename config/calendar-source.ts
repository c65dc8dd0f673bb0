import { readFile, stat } from 'node:fs/promises';
import { compileCalendar, type WorkingDayCalendar } from '../domain/working-days.js';

/**
 * Reads the working-day calendar file, again only when its modification time changes (ops update it yearly). The
 * worker's submission activities and the compliance console both count working days with it.
 */
export function createCalendarFileSource(
  path: string,
  warn: (message: string) => void = (message) => console.warn(message),
): () => Promise<WorkingDayCalendar> {
  let cached: { mtimeMs: number; calendar: WorkingDayCalendar } | undefined;
  return async () => {
    const { mtimeMs } = await stat(path);
    if (cached?.mtimeMs === mtimeMs) return cached.calendar;
    try {
      const calendar = compileCalendar(JSON.parse(await readFile(path, 'utf8')));
      cached = { mtimeMs, calendar };
      return calendar;
    } catch (err) {
      // A half-edited file must not stop submissions: keep counting with the last good calendar.
      if (cached) {
        warn(`working-day calendar ${path} is invalid, still using the previous version: ${(err as Error).message}`);
        return cached.calendar;
      }
      throw new Error(`working-day calendar ${path} is invalid: ${(err as Error).message}`, { cause: err });
    }
  };
}
