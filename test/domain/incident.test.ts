import { describe, expect, it } from 'vitest';
import {
  amendCard,
  cardProblems,
  formatCardDateTime,
  IncidentCard,
  IncidentCardDraft,
  isoWithOffset,
  offsetMinutes,
} from '../../domain/incident.js';
import {
  cardDueAtMs,
  formatTimeLeft,
  incidentCheckpoints,
  IncidentTiming,
  nextCheckpoint,
} from '../../domain/incident-deadlines.js';
import { parseDurationList } from '../../domain/duration.js';
import { OpenIncident } from '../../domain/incident-state.js';
import { completeCard } from '../support/incident-card.js';

const HOUR = 3600_000;
const detectedAt = '2026-03-10T02:15:00+05:00';

describe('incident card (National Bank resolution No. 116, annex, 16 rows)', () => {
  it('accepts a complete card and finds nothing missing', () => {
    expect(IncidentCard.safeParse(completeCard(detectedAt)).success).toBe(true);
    expect(cardProblems(completeCard(detectedAt))).toEqual([]);
  });

  it('names each missing row by its number, as p.55(3) asks', () => {
    const problems = cardProblems({ name: 'Phishing of a cashier', detectedAt });
    expect(problems).toHaveLength(14);
    expect(problems).toContain('row 4 informationSource: required');
    expect(problems).toContain('row 9 status: required');
    expect(problems).toContain('row 16 specialists: required');
  });

  it('says what is wrong in a row that is there', () => {
    const problems = cardProblems(completeCard(detectedAt, { mainEvents: [], specialists: [] }));
    expect(problems).toEqual([
      'row 7 mainEvents: name at least one of the six reportable kinds',
      'row 16 specialists: name at least the responsible specialist',
    ]);
  });

  it('wants the detection time with its UTC offset (row 2)', () => {
    expect(IncidentCardDraft.safeParse({ name: 'x', detectedAt: '2026-03-10T02:15:00' }).success).toBe(false);
    expect(IncidentCardDraft.safeParse({ name: 'x', detectedAt: '2026-03-10T02:15:00Z' }).success).toBe(true);
    expect(IncidentCardDraft.safeParse({ name: 'x', detectedAt }).success).toBe(true);
  });

  it('renders row 2 as dd.mm.yyyy hh:mm UTC+X in the offset it was recorded with', () => {
    expect(formatCardDateTime(detectedAt)).toBe('10.03.2026 02:15 UTC+5');
    expect(formatCardDateTime('2026-03-09T21:15:00Z')).toBe('09.03.2026 21:15 UTC+0');
    expect(formatCardDateTime('2026-03-10T03:45:00+05:30')).toBe('10.03.2026 03:45 UTC+5:30');
    expect(isoWithOffset(Date.parse('2026-03-09T21:15:00Z'), 300)).toBe('2026-03-10T02:15:00.000+05:00');
    expect(offsetMinutes('2026-03-10T02:15:00-03:00')).toBe(-180);
  });

  it('amends the rows a patch names and keeps the others', () => {
    const amended = amendCard({ name: 'a', detectedAt, symptoms: 'slow' }, { symptoms: '503s', intent: 'ERROR' });
    expect(amended).toEqual({ name: 'a', detectedAt, symptoms: '503s', intent: 'ERROR' });
  });
});

describe('the 48-hour clock', () => {
  const detectedMs = Date.parse(detectedAt);
  const timing = IncidentTiming.parse({});

  it('falls due 48 hours after detection', () => {
    expect(new Date(cardDueAtMs(detectedMs)).toISOString()).toBe('2026-03-11T21:15:00.000Z');
  });

  it('orders the internal target, the reminders and the deadline', () => {
    expect(incidentCheckpoints(detectedMs, timing).map((c) => [c.key, (c.atMs - detectedMs) / HOUR])).toEqual([
      ['INTERNAL_TARGET', 24],
      ['REMINDER-43200000', 36],
      ['REMINDER-14400000', 44],
      ['REMINDER-3600000', 47],
      ['DEADLINE', 48],
    ]);
  });

  it('drops reminders already past when scheduled, but never the deadline', () => {
    const openedLate = detectedMs + 45 * HOUR;
    expect(nextCheckpoint(detectedMs, timing, new Set(), openedLate)?.key).toBe('INTERNAL_TARGET');
    expect(nextCheckpoint(detectedMs, timing, new Set(['INTERNAL_TARGET']), openedLate)?.key).toBe('REMINDER-3600000');
    expect(nextCheckpoint(detectedMs, timing, new Set(['INTERNAL_TARGET', 'REMINDER-3600000']), openedLate)?.key).toBe(
      'DEADLINE',
    );
    expect(
      nextCheckpoint(detectedMs, timing, new Set(['INTERNAL_TARGET', 'REMINDER-3600000', 'DEADLINE']), openedLate),
    ).toBeUndefined();
  });

  it('reads reminder settings and shows time left the way ops read it', () => {
    expect(parseDurationList('12h, 4h,90m')).toEqual([12 * HOUR, 4 * HOUR, 90 * 60_000]);
    expect(() => parseDurationList('12 hours')).toThrow(/not a duration/);
    expect(formatTimeLeft(detectedMs + 41 * HOUR + 5 * 60_000, detectedMs)).toBe('41h 05m');
    expect(formatTimeLeft(detectedMs, detectedMs + 2 * HOUR + 10 * 60_000)).toBe('overdue 2h 10m');
  });

  it('opens with default timing and refuses an incident id no system takes verbatim', () => {
    const open = OpenIncident.parse({ incidentId: 'INC-1', card: { name: 'x', detectedAt }, openedBy: 'ops' });
    expect(open.timing.reminderOffsetsMs).toEqual([12 * HOUR, 4 * HOUR, HOUR]);
    expect(open.origin).toEqual({ kind: 'OPS' });
    expect(
      OpenIncident.safeParse({ incidentId: 'INC 1/2', card: { name: 'x', detectedAt }, openedBy: 'ops' }).success,
    ).toBe(false);
  });
});
