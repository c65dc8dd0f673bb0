import { describe, expect, it } from 'vitest';
import { availability, classifyExchange, measure, outages, type MinuteBucket } from '../../domain/availability.js';
import { credentialsRefusedTrip, ledgerMismatchTrip, unreachableTrip } from '../../domain/detectors.js';
import { detectorSettings } from '../support/unit-detectors.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-03-10T00:00:00Z');

function bucket(minute: number, counts: Partial<MinuteBucket>): MinuteBucket {
  return {
    minuteMs: T0 + minute * MIN,
    ok: 0,
    clientErrors: 0,
    authFailures: 0,
    serverErrors: 0,
    networkErrors: 0,
    ...counts,
  };
}

const up = (m: number) => bucket(m, { ok: 3 });
const down = (m: number) => bucket(m, { networkErrors: 2 });
const settings = detectorSettings({ unreachableAfterMinutes: 15, authFailures: 5, authWindowMinutes: 10 });

describe('availability index (the e-government integration rules, A7 p.7)', () => {
  it('classifies what the connectors saw', () => {
    expect([200, 201, 404, 422, 401, 403, 500, 503, 'NETWORK_ERROR' as const].map(classifyExchange)).toEqual([
      'ok',
      'ok',
      'clientErrors',
      'clientErrors',
      'authFailures',
      'authFailures',
      'serverErrors',
      'serverErrors',
      'networkErrors',
    ]);
  });

  it('runs an outage from the first failing minute to the next answer, quiet minutes included', () => {
    const found = outages([up(0), down(10), down(12), up(30), up(40)], T0 + 60 * MIN);
    expect(found).toEqual([{ startMs: T0 + 10 * MIN, endMs: T0 + 30 * MIN, ongoing: false }]);
  });

  it('counts a refusal as the service being there', () => {
    expect(outages([up(0), bucket(5, { clientErrors: 1, serverErrors: 1 })], T0 + 10 * MIN)).toEqual([]);
  });

  it('computes (T − P) / T × 100 over a day with a 20-minute outage', () => {
    const report = availability(
      [up(0), down(600), up(620)],
      { fromMs: T0, toMs: T0 + 24 * HOUR, nowMs: T0 + 24 * HOUR },
      [],
    );
    expect(report.expectedHours).toBe(24);
    expect(report.unavailableHours).toBe(0.333);
    expect(report.indexPercent).toBe(98.611);
  });

  it('counts maintenance with the service down in P and keeps it in T (planned works with disconnection)', () => {
    // A day with a 2 h outage (10:00–12:00) and 2 h of announced maintenance (15:00–17:00) with the service down.
    const maintenance = [{ startMs: T0 + 900 * MIN, endMs: T0 + 1020 * MIN }];
    const seen = [up(0), down(600), up(720), down(900), up(1020)];
    const report = availability(seen, { fromMs: T0, toMs: T0 + 24 * HOUR, nowMs: T0 + 24 * HOUR }, maintenance);
    expect(report).toMatchObject({
      expectedHours: 24,
      unavailableHours: 4,
      plannedUnavailableHours: 2,
      indexPercent: 83.333,
    });
  });

  it('counts a maintenance window with no answer at all as down, and one the service answered in by its outages', () => {
    const quietWindow = [{ startMs: T0 + 60 * MIN, endMs: T0 + 120 * MIN }];
    const quiet = availability(
      [up(0), up(200)],
      { fromMs: T0, toMs: T0 + 24 * HOUR, nowMs: T0 + 24 * HOUR },
      quietWindow,
    );
    expect(quiet).toMatchObject({ unavailableHours: 1, plannedUnavailableHours: 1 });
    const answered = availability(
      [up(0), up(90), up(200)],
      { fromMs: T0, toMs: T0 + 24 * HOUR, nowMs: T0 + 24 * HOUR },
      quietWindow,
    );
    expect(answered).toMatchObject({ unavailableHours: 0, plannedUnavailableHours: 0, indexPercent: 100 });
  });

  it('counts T from the first observation, not from before it', () => {
    const report = availability([up(600), up(700)], { fromMs: T0, toMs: T0 + 24 * HOUR, nowMs: T0 + 24 * HOUR }, []);
    expect(report).toMatchObject({ expectedHours: 14, unavailableHours: 0, indexPercent: 100 });
  });

  it('does not vouch for a service it never talked to', () => {
    expect(availability([], { fromMs: T0, toMs: T0 + HOUR, nowMs: T0 + HOUR }, []).indexPercent).toBeUndefined();
  });

  it('measures overlapping excluded windows once', () => {
    expect(
      measure([{ startMs: 0, endMs: 100 }], 0, 100, [
        { startMs: 10, endMs: 50 },
        { startMs: 40, endMs: 60 },
      ]),
    ).toBe(50);
  });
});

describe('detectors', () => {
  it('trip on a counterpart unreachable beyond the configured time, once per episode', () => {
    const buckets = [up(0), down(10), down(20)];
    expect(unreachableTrip('esu', buckets, [], T0 + 24 * MIN, settings)).toBeUndefined();
    const trip = unreachableTrip('esu', buckets, [], T0 + 26 * MIN, settings)!;
    expect(trip.incidentId).toBe('auto-unreachable-esu-202603100010');
    expect(trip.card).toMatchObject({
      mainEvents: ['STABILITY_THREAT'],
      status: 'SUSPICION',
      informationSource: 'TECHNICAL_MEANS',
      detectedAt: '2026-03-10T05:26:00.000+05:00',
    });
    expect(unreachableTrip('esu', [...buckets, down(40)], [], T0 + 45 * MIN, settings)!.incidentId).toBe(
      trip.incidentId,
    );
  });

  it('stay quiet during announced maintenance', () => {
    const window = [{ startMs: T0, endMs: T0 + HOUR }];
    expect(unreachableTrip('esu', [up(0), down(10)], window, T0 + 40 * MIN, settings)).toBeUndefined();
  });

  it('trip on repeated refusals of our credentials', () => {
    const refusals = [bucket(100, { authFailures: 2 }), bucket(104, { authFailures: 2 })];
    expect(credentialsRefusedTrip('nomapay', refusals, T0 + 105 * MIN, settings)).toBeUndefined();
    const trip = credentialsRefusedTrip(
      'nomapay',
      [...refusals, bucket(106, { authFailures: 1 })],
      T0 + 107 * MIN,
      settings,
    )!;
    expect(trip.incidentId).toBe('auto-credentials-nomapay-202603100140');
    expect(trip.card.mainEvents).toEqual(['UNAUTHORISED_ACCESS']);
  });

  it('trip on a ledger whose debits and credits disagree', () => {
    expect(ledgerMismatchTrip({ debits: 10, credits: 10 }, T0, settings)).toBeUndefined();
    expect(ledgerMismatchTrip({ debits: 10, credits: 9 }, T0, settings)?.card.mainEvents).toEqual([
      'UNAUTHORISED_TRANSFER',
    ]);
  });
});
