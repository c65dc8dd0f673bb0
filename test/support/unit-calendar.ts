import { readFileSync } from 'node:fs';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { compileCalendar } from '../../domain/working-days.js';

/** The working-day calendar the bridge ships (DEFAULT_WORKING_DAY_CALENDAR), compiled. */
export const shippedCalendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));

/** An instant written in Kazakhstan local time (UTC+05:00), as epoch milliseconds. */
export const kz = (local: string) => Date.parse(`${local}+05:00`);
