import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { DEFAULT_MAINTENANCE_WINDOWS, maintenanceWindowAt, parseMaintenanceWindows } from '../../domain/maintenance.js';
import { compileCalendar } from '../../domain/working-days.js';

const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
const kz = (local: string) => Date.parse(`${local}+05:00`);
const defaults = parseMaintenanceWindows(DEFAULT_MAINTENANCE_WINDOWS);

describe('maintenance windows (seed 004 p.48)', () => {
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
