import { describe, expect, it } from 'vitest';
import { renderBusinessMetrics, operationOutcome, type BusinessFigures } from '../../workers/business-metrics.js';
import { createReadiness, startHealthServer } from '../../stack/health.js';
import { EXCHANGE_OUTCOME_LABEL } from '../../workers/metrics.js';
import type { AvailabilityReport } from '../../domain/availability.js';
import { expectFigures } from '../support/metrics.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3600_000;

function figures(overrides: Partial<BusinessFigures> = {}): BusinessFigures {
  return {
    nowMs: NOW,
    operations: [],
    submissions: [],
    overdueRejections: [],
    undeliveredIncidents: { past: 0, within_6h: 0, within_24h: 0, later: 0 },
    availability: [],
    ...overrides,
  };
}

/** Operation counts as the operations table groups them: one `[kind, status, count]` a row. */
const operationCounts = (...rows: [kind: string, status: string, count: number][]): BusinessFigures['operations'] =>
  rows.map(([kind, status, count]) => ({ kind, status, count }));

/** A counterpart's day: 24 hours expected, 900 minutes observed, nothing down, no index; then `overrides`. */
function dayReport(overrides: Partial<AvailabilityReport> = {}): AvailabilityReport {
  return {
    expectedHours: 24,
    unavailableHours: 0,
    plannedUnavailableHours: 0,
    observedMinutes: 900,
    outages: [],
    ...overrides,
  };
}

/** `name{labels} value` lines of the exposition, without HELP and TYPE. */
function samples(text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  return new Map(lines.map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

/** The samples of the metrics rendered from `figures(overrides)`. */
const rendered = async (overrides: Partial<BusinessFigures> = {}) =>
  samples(await renderBusinessMetrics(figures(overrides)));

describe('business metrics in Prometheus text format', () => {
  it('counts operations by kind and outcome, running sagas as in_progress, compensation failures apart', async () => {
    const text = await renderBusinessMetrics(
      figures({
        operations: operationCounts(
          ['DEPOSIT', 'COMPLETED', 3],
          ['DEPOSIT', 'COMPENSATED', 1],
          ['DEPOSIT', 'DEBITING_WALLET', 2],
          ['DEPOSIT', 'RECORDING_IN_ESU', 1],
          ['PAYOUT', 'COMPENSATION_FAILED', 2],
          ['BET', 'VOIDED', 4],
        ),
      }),
    );
    const s = samples(text);
    expectFigures((series) => s.get(series), {
      'esu_bridge_operations{kind="deposit",outcome="completed"}': 3,
      'esu_bridge_operations{kind="deposit",outcome="compensated"}': 1,
      'esu_bridge_operations{kind="deposit",outcome="in_progress"}': 3,
      'esu_bridge_operations{kind="bet",outcome="voided"}': 4,
      'esu_bridge_operations{kind="payout",outcome="compensation_failed"}': 2,
      // Every outcome a kind can reach is written, zero until it happens: a rule has a series to compare.
      'esu_bridge_operations{kind="settlement",outcome="settled_esu_pending"}': 0,
      'esu_bridge_operations{kind="deposit",outcome="compensation_failed"}': 0,
      'esu_bridge_compensation_failures{kind="payout"}': 2,
      'esu_bridge_compensation_failures{kind="deposit"}': 0,
    });
    expect(s.has('esu_bridge_compensation_failures{kind="settlement"}')).toBe(false); // a settlement has no compensation
    expect(text).toContain('# TYPE esu_bridge_operations gauge');
    expect(text).toMatch(/^# HELP esu_bridge_operations \S/m);
  });

  it('maps each status to its outcome: final statuses by name, every other one in_progress', () => {
    expect(
      [
        'COMPLETED',
        'COMPLETED_ESU_PENDING',
        'ACCEPTED',
        'SETTLED',
        'SETTLED_ESU_PENDING',
        'REFUSED',
        'COMPENSATED',
        'VOIDED',
        'COMPENSATION_FAILED',
      ].map(operationOutcome),
    ).toEqual([
      'completed',
      'completed_esu_pending',
      'accepted',
      'settled',
      'settled_esu_pending',
      'refused',
      'compensated',
      'voided',
      'compensation_failed',
    ]);
    expect(['RECEIVED', 'COMPENSATING', 'VOIDING', 'REPORTING_TO_AFM', 'SOMETHING_NEW'].map(operationOutcome)).toEqual(
      Array(5).fill('in_progress'),
    );
  });

  it('counts submissions by counterpart and status, and rejections past their due date with the oldest one’s lateness', async () => {
    const s = await rendered({
      submissions: [
        { counterpart: 'AFM', status: 'ACCEPTED', count: 10 },
        { counterpart: 'AFM', status: 'REJECTED', count: 3 },
        { counterpart: 'ESU', status: 'FAILED', count: 1 },
      ],
      overdueRejections: [{ counterpart: 'AFM', count: 2, oldestDueAtMs: NOW - 90 * 60_000 }],
    });
    expectFigures((series) => s.get(series), {
      'esu_bridge_submissions{counterpart="afm",status="accepted"}': 10,
      'esu_bridge_submissions{counterpart="afm",status="rejected"}': 3,
      'esu_bridge_submissions{counterpart="esu",status="failed"}': 1,
      'esu_bridge_submissions{counterpart="esu",status="waiting_maintenance"}': 0,
      'esu_bridge_submissions_rejected_overdue{counterpart="afm"}': 2,
      'esu_bridge_submissions_rejected_overdue{counterpart="esu"}': 0,
      'esu_bridge_submissions_rejected_overdue_seconds{counterpart="afm"}': 5400,
      'esu_bridge_submissions_rejected_overdue_seconds{counterpart="esu"}': 0,
    });
  });

  it('bands undelivered incident cards by their 48-hour deadline and gives the seconds to the nearest one', async () => {
    const past = await rendered({
      undeliveredIncidents: { past: 1, within_6h: 2, within_24h: 0, later: 5, nextDueAtMs: NOW - 2 * HOUR },
    });
    expectFigures((series) => past.get(series), {
      'esu_bridge_incidents_undelivered{deadline="past"}': 1,
      'esu_bridge_incidents_undelivered{deadline="within_6h"}': 2,
      'esu_bridge_incidents_undelivered{deadline="within_24h"}': 0,
      'esu_bridge_incidents_undelivered{deadline="later"}': 5,
      esu_bridge_incident_next_deadline_seconds: -7200,
    });

    const soon = await rendered({
      undeliveredIncidents: { past: 0, within_6h: 1, within_24h: 0, later: 0, nextDueAtMs: NOW + 5 * HOUR },
    });
    expect(soon.get('esu_bridge_incident_next_deadline_seconds')).toBe(18_000);
    // No undelivered card: no deadline to count down to, and no series (a `< 6 * 3600` rule stays quiet).
    const none = await rendered();
    expect(none.has('esu_bridge_incident_next_deadline_seconds')).toBe(false);
    expect(none.get('esu_bridge_incidents_undelivered{deadline="past"}')).toBe(0);
  });

  it('gives each counterpart’s availability as a ratio and its ongoing outage in seconds', async () => {
    const s = await rendered({
      availability: [
        {
          counterpart: 'esu',
          report: dayReport({
            unavailableHours: 0.5,
            indexPercent: 97.917,
            outages: [{ startMs: NOW - 30 * 60_000, endMs: NOW, ongoing: true }],
          }),
        },
        {
          counterpart: 'nomapay',
          report: dayReport({
            indexPercent: 100,
            outages: [{ startMs: NOW - 5 * HOUR, endMs: NOW - 4 * HOUR, ongoing: false }],
          }),
        },
        { counterpart: 'afm', report: dayReport({ expectedHours: 0, observedMinutes: 0 }) },
      ],
    });
    expect(s.get('esu_bridge_counterpart_availability_ratio{counterpart="esu"}')).toBeCloseTo(0.97917, 6);
    expect(s.get('esu_bridge_counterpart_availability_ratio{counterpart="nomapay"}')).toBe(1);
    expect(s.has('esu_bridge_counterpart_availability_ratio{counterpart="afm"}')).toBe(false); // nothing observed: no index
    expect(s.get('esu_bridge_counterpart_outage_seconds{counterpart="esu"}')).toBe(1800);
    expect(s.get('esu_bridge_counterpart_outage_seconds{counterpart="nomapay"}')).toBe(0);
  });

  it('counts open reconciliation differences and the overdue ones by counterpart, zeros included', async () => {
    const s = await rendered({ reconciliation: [{ counterpart: 'NOMAPAY', open: 3, overdue: 1 }] });
    expect(s.get('esu_bridge_reconciliation_differences_open{counterpart="nomapay"}')).toBe(3);
    expect(s.get('esu_bridge_reconciliation_differences_overdue{counterpart="nomapay"}')).toBe(1);
    for (const counterpart of ['esu', 'afm', 'ledger'])
      expect(s.get(`esu_bridge_reconciliation_differences_open{counterpart="${counterpart}"}`)).toBe(0);
  });

  it('follows Prometheus naming: snake_case, units in seconds, labels from closed sets only', async () => {
    const text = await renderBusinessMetrics(
      figures({
        operations: operationCounts(['DEPOSIT', 'COMPLETED', 1]),
        undeliveredIncidents: { past: 0, within_6h: 0, within_24h: 1, later: 0, nextDueAtMs: NOW + 20 * HOUR },
        availability: [
          {
            counterpart: 'esu',
            report: dayReport({ expectedHours: 1, indexPercent: 100, observedMinutes: 60 }),
          },
        ],
      }),
    );
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]);
    expect(names.length).toBe(11);
    for (const [name, type] of names) {
      expect(name).toMatch(/^esu_bridge_[a-z0-9_]+$/);
      expect(name).not.toMatch(/_(ms|milliseconds|minutes|hours|percent)$/);
      expect(type).toBe('gauge');
    }
    const labelNames = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]));
    expect([...labelNames].sort()).toEqual(['counterpart', 'deadline', 'kind', 'outcome', 'status']);
    expect(Object.values(EXCHANGE_OUTCOME_LABEL)).toEqual([
      'ok',
      'client_error',
      'auth_failure',
      'server_error',
      'network_error',
    ]);
  });
});

describe('the worker health server’s /metrics', () => {
  const readiness = createReadiness({}, { log: () => undefined });

  it('serves the rendered text with Prometheus’s content type, and a 503 naming no detail when collection fails', async () => {
    const logged: Record<string, unknown>[] = [];
    let fail = false;
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, readiness, {
      metrics: {
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        render: async () => {
          if (fail) throw new Error('connect ECONNREFUSED postgres://esu:secret-pw@db:5432/esu');
          return 'esu_bridge_operations{kind="deposit",outcome="completed"} 1\n';
        },
      },
      log: (line) => logged.push(line),
    });
    try {
      const ok = await fetch(`${server.url}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await ok.text()).toBe('esu_bridge_operations{kind="deposit",outcome="completed"} 1\n');

      fail = true;
      const failed = await fetch(`${server.url}/metrics`);
      expect(failed.status).toBe(503);
      expect(await failed.text()).not.toContain('secret-pw');
      expect(logged).toEqual([
        { level: 'WARN', msg: 'metrics scrape failed', error: 'connect ECONNREFUSED postgres://***@db:5432/esu' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('has no /metrics when it is given no metrics', async () => {
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, readiness);
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
