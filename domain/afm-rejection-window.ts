import { endOfNextWorkingDay, type WorkingDayCalendar } from './working-days.js';

/**
 * AFM's rejection window (AFM order No. 9, item 5(3)): AFM says why it could not accept a submission "within 1
 * working day", so its window closes at the end of the next Kazakhstan working day after the day AFM
 * acknowledged it — not 24 hours, not a calendar day. The text does not say when the day starts counting; we
 * count from our own receive time of AFM's receipt (the e-government integration rules §55: the signature
 * carries no timestamp). Until the window has closed without a rejection, a submission is not accepted.
 */
export function afmRejectionWindowEnd(acknowledgedAtMs: number, calendar: WorkingDayCalendar): number {
  return endOfNextWorkingDay(acknowledgedAtMs, calendar);
}
