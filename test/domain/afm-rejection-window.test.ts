import { describe, expect, it } from 'vitest';
import { afmRejectionWindowEnd } from '../../domain/afm-rejection-window.js';
import { addWorkingDays } from '../../domain/working-days.js';
import { kz, shippedCalendar as calendar } from '../support/unit-calendar.js';

describe('AFM’s rejection window (AFM order No. 9, item 5(3))', () => {
  it('closes AFM’s window at the end of the next working day after the acknowledgement (AFM order No. 9, item 5(3))', () => {
    expect(afmRejectionWindowEnd(kz('2026-12-01T10:00:00'), calendar)).toBe(kz('2026-12-03T00:00:00'));
    // Late on a working day still gives the whole next working day.
    expect(afmRejectionWindowEnd(kz('2026-12-01T23:59:00'), calendar)).toBe(kz('2026-12-03T00:00:00'));
    // Friday evening: Monday is the next working day.
    expect(afmRejectionWindowEnd(kz('2026-12-04T19:00:00'), calendar)).toBe(kz('2026-12-08T00:00:00'));
    // Acknowledged on a Saturday: the window is Monday, the first working day after it.
    expect(afmRejectionWindowEnd(kz('2026-12-05T12:00:00'), calendar)).toBe(kz('2026-12-08T00:00:00'));
  });

  it('stretches the window over holidays: acknowledged on the eve of Nauryz, it closes at the end of 26 March', () => {
    expect(afmRejectionWindowEnd(kz('2026-03-20T17:00:00'), calendar)).toBe(kz('2026-03-27T00:00:00'));
    expect(afmRejectionWindowEnd(kz('2026-12-15T17:00:00'), calendar)).toBe(kz('2026-12-18T00:00:00'));
  });

  it('crosses the year boundary over the New Year holidays', () => {
    // Thursday 31 Dec 2026 → Friday 1 Jan off, the weekend, Monday 4 Jan off (moved from Saturday 2 Jan) → Tuesday 5 Jan.
    expect(addWorkingDays('2026-12-31', 1, calendar)).toBe('2027-01-05');
    expect(afmRejectionWindowEnd(kz('2026-12-31T18:00:00'), calendar)).toBe(kz('2027-01-06T00:00:00'));
    // Into a year the file does not cover yet: weekends only, so Monday 3 Jan 2028.
    expect(afmRejectionWindowEnd(kz('2027-12-31T18:00:00'), calendar)).toBe(kz('2028-01-04T00:00:00'));
  });
});
