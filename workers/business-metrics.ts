import { Gauge, Registry } from 'prom-client';
import { loadMaintenance, loadMinuteBuckets } from '../store/availability.js';
import type { Pool } from '../db/pool.js';
import { availability, type AvailabilityReport } from '../domain/availability.js';
import { BetStatus, PayoutStatus, SettlementStatus } from '../domain/bet.js';
import { DepositStatus } from '../domain/deposit.js';
import { SubmissionCounterpart, SubmissionStatus } from '../domain/submission.js';
import { DifferenceSource } from '../domain/reconciliation.js';

/**
 * The business state ops alert on, read from PostgreSQL at each scrape (one indexed query per family, migration
 * 012) and rendered in Prometheus's text format: gauges of what is true now, so any number of workers serve the same
 * figures and a restart loses nothing. Labels are closed sets (kind, outcome, status, counterpart, deadline band):
 * never an operation id, a bettor reference or anything personal.
 */

/** The statuses an operation ends in; every other status is a saga still running (`in_progress`). */
const STATUSES_BY_KIND = {
  DEPOSIT: DepositStatus,
  BET: BetStatus,
  SETTLEMENT: SettlementStatus,
  PAYOUT: PayoutStatus,
} as const;
const FINAL_STATUSES = new Set<string>([
  DepositStatus.Completed,
  DepositStatus.Compensated,
  DepositStatus.Refused,
  DepositStatus.CompensationFailed,
  BetStatus.Accepted,
  BetStatus.Voided,
  SettlementStatus.Settled,
  SettlementStatus.SettledEsuPending,
  PayoutStatus.CompletedEsuPending,
]);
export const IN_PROGRESS = 'in_progress';

export function operationOutcome(status: string): string {
  return FINAL_STATUSES.has(status) ? status.toLowerCase() : IN_PROGRESS;
}

/** How far an undelivered incident card is from its 48 hours (National Bank resolution No. 116 §61): each card in one band. */
export const DEADLINE_BANDS = ['past', 'within_6h', 'within_24h', 'later'] as const;
export type DeadlineBand = (typeof DEADLINE_BANDS)[number];

/** The period of the availability index on the scrape (the e-government integration rules, A7 p.7), as on the console's first column. */
export const AVAILABILITY_PERIOD_MS = 24 * 3600_000;

export interface BusinessFigures {
  nowMs: number;
  operations: { kind: string; status: string; count: number }[];
  submissions: { counterpart: string; status: string; count: number }[];
  overdueRejections: { counterpart: string; count: number; oldestDueAtMs: number }[];
  undeliveredIncidents: Record<DeadlineBand, number> & { nextDueAtMs?: number };
  availability: { counterpart: string; report: AvailabilityReport }[];
  /** Open reconciliation differences (migration 017) by counterpart, and how many are past their due date. */
  reconciliation?: { counterpart: string; open: number; overdue: number }[];
}

/** One query per family, run together. `nowMs` is the one clock of the scrape. */
export async function collectBusinessFigures(pool: Pool, nowMs: number): Promise<BusinessFigures> {
  const now = [nowMs];
  const [operations, submissions, overdue, incidents, buckets, maintenance, reconciliation] = await Promise.all([
    pool.query('SELECT kind, status, count(*)::int AS n FROM operations GROUP BY kind, status'),
    pool.query('SELECT counterpart, status, count(*)::int AS n FROM submissions GROUP BY counterpart, status'),
    pool.query(
      `SELECT counterpart, count(*)::int AS n, extract(epoch FROM min(due_at)) * 1000 AS oldest_due_ms
       FROM submissions WHERE status = 'REJECTED' AND due_at < to_timestamp($1 / 1000.0) GROUP BY counterpart`,
      now,
    ),
    pool.query(
      `SELECT count(*) FILTER (WHERE due_at <= t)::int AS past,
              count(*) FILTER (WHERE due_at > t AND due_at <= t + interval '6 hours')::int AS within_6h,
              count(*) FILTER (WHERE due_at > t + interval '6 hours' AND due_at <= t + interval '24 hours')::int AS within_24h,
              count(*) FILTER (WHERE due_at > t + interval '24 hours')::int AS later,
              extract(epoch FROM min(due_at)) * 1000 AS next_due_ms
       FROM incidents, to_timestamp($1 / 1000.0) AS t WHERE first_delivered_at IS NULL AND status <> 'CLOSED'`,
      now,
    ),
    // A day before the period too: an outage that began before it counts from the period's start.
    loadMinuteBuckets(pool, nowMs - 2 * AVAILABILITY_PERIOD_MS, nowMs + 60_000),
    loadMaintenance(pool, nowMs - AVAILABILITY_PERIOD_MS, nowMs),
    pool.query(
      `SELECT counterpart, count(*)::int AS open, count(*) FILTER (WHERE due_at < to_timestamp($1 / 1000.0))::int AS overdue
       FROM reconciliation_differences WHERE status = 'OPEN' GROUP BY counterpart`,
      now,
    ),
  ]);
  const i = incidents.rows[0];
  const counterparts = [...new Set(['esu', 'nomapay', ...buckets.keys()])].sort();
  return {
    nowMs,
    operations: operations.rows.map((r) => ({ kind: r.kind, status: r.status, count: r.n })),
    submissions: submissions.rows.map((r) => ({ counterpart: r.counterpart, status: r.status, count: r.n })),
    overdueRejections: overdue.rows.map((r) => ({
      counterpart: r.counterpart,
      count: r.n,
      oldestDueAtMs: Number(r.oldest_due_ms),
    })),
    undeliveredIncidents: {
      past: i.past,
      within_6h: i.within_6h,
      within_24h: i.within_24h,
      later: i.later,
      ...(i.next_due_ms === null ? {} : { nextDueAtMs: Number(i.next_due_ms) }),
    },
    availability: counterparts.map((counterpart) => ({
      counterpart,
      report: availability(
        buckets.get(counterpart) ?? [],
        { fromMs: nowMs - AVAILABILITY_PERIOD_MS, toMs: nowMs, nowMs },
        maintenance.filter((m) => m.counterpart === counterpart),
      ),
    })),
    reconciliation: reconciliation.rows.map((r) => ({ counterpart: r.counterpart, open: r.open, overdue: r.overdue })),
  };
}

/**
 * The text Prometheus scrapes. Every series of a closed label set is written, zeros too, so that a rule such as
 * `esu_bridge_submissions_rejected_overdue > 0` has a series to compare before the first rejection.
 */
export async function renderBusinessMetrics(f: BusinessFigures): Promise<string> {
  const registers = [new Registry()];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  /** Gauges by counterpart (name and help each), every counterpart's series written as 0 first. */
  const counterpartGauges = <const M extends readonly (readonly [name: string, help: string])[]>(
    counterparts: string[],
    metrics: M,
  ) =>
    metrics.map(([name, help]) => {
      const g = gauge(name, help, ['counterpart']);
      for (const counterpart of counterparts) g.set({ counterpart }, 0);
      return g;
    }) as { [K in keyof M]: Gauge };

  const operations = gauge(
    'esu_bridge_operations',
    'Deposits, bets, settlements and payouts by kind and outcome (in_progress: the saga still runs)',
    ['kind', 'outcome'],
  );
  const compensationFailed = gauge(
    'esu_bridge_compensation_failures',
    'Operations whose compensation failed (COMPENSATION_FAILED), waiting for compliance, by kind',
    ['kind'],
  );
  for (const [kind, statuses] of Object.entries(STATUSES_BY_KIND)) {
    for (const outcome of new Set(Object.values(statuses).map(operationOutcome)))
      operations.set({ kind: kind.toLowerCase(), outcome }, 0);
    if (Object.values(statuses).includes(DepositStatus.CompensationFailed))
      compensationFailed.set({ kind: kind.toLowerCase() }, 0);
  }
  for (const o of f.operations) {
    operations.inc({ kind: o.kind.toLowerCase(), outcome: operationOutcome(o.status) }, o.count);
    if (o.status === DepositStatus.CompensationFailed) compensationFailed.inc({ kind: o.kind.toLowerCase() }, o.count);
  }

  const submissions = gauge(
    'esu_bridge_submissions',
    'Regulator submissions (AFM records, corrected ESU records) by counterpart and status',
    ['counterpart', 'status'],
  );
  const submissionCounterparts = SubmissionCounterpart.options.map((c) => c.toLowerCase());
  const [overdue, overdueAge] = counterpartGauges(submissionCounterparts, [
    [
      'esu_bridge_submissions_rejected_overdue',
      'Rejected submissions not corrected by their due date (1 working day, AFM order No. 9, item 5(3))',
    ],
    [
      'esu_bridge_submissions_rejected_overdue_seconds',
      'How long the oldest overdue rejection is past its due date (0: none)',
    ],
  ]);
  for (const counterpart of submissionCounterparts)
    for (const status of Object.values(SubmissionStatus))
      submissions.set({ counterpart, status: status.toLowerCase() }, 0);
  for (const s of f.submissions)
    submissions.inc({ counterpart: s.counterpart.toLowerCase(), status: s.status.toLowerCase() }, s.count);
  for (const r of f.overdueRejections) {
    overdue.set({ counterpart: r.counterpart.toLowerCase() }, r.count);
    overdueAge.set({ counterpart: r.counterpart.toLowerCase() }, Math.max(0, (f.nowMs - r.oldestDueAtMs) / 1000));
  }

  const incidents = gauge(
    'esu_bridge_incidents_undelivered',
    'Incident cards not yet delivered, by how far their 48-hour deadline is (National Bank resolution No. 116 §61)',
    ['deadline'],
  );
  for (const band of DEADLINE_BANDS) incidents.set({ deadline: band }, f.undeliveredIncidents[band]);
  if (f.undeliveredIncidents.nextDueAtMs !== undefined) {
    gauge(
      'esu_bridge_incident_next_deadline_seconds',
      'Seconds to the earliest 48-hour deadline of an undelivered incident card (negative: past it)',
    ).set((f.undeliveredIncidents.nextDueAtMs - f.nowMs) / 1000);
  }

  const ratio = gauge(
    'esu_bridge_counterpart_availability_ratio',
    'Availability index (T - P) / T over the last 24 hours; P counts maintenance with the service down',
    ['counterpart'],
  );
  const outage = gauge(
    'esu_bridge_counterpart_outage_seconds',
    'How long the ongoing outage of a counterpart has lasted (0: none), from our own exchanges',
    ['counterpart'],
  );
  for (const { counterpart, report } of f.availability) {
    if (report.indexPercent !== undefined) ratio.set({ counterpart }, report.indexPercent / 100);
    const ongoing = report.outages.find((o) => o.ongoing);
    outage.set({ counterpart }, ongoing ? (f.nowMs - ongoing.startMs) / 1000 : 0);
  }

  const [differences, differencesOverdue] = counterpartGauges(
    DifferenceSource.options.map((c) => c.toLowerCase()),
    [
      [
        'esu_bridge_reconciliation_differences_open',
        'Open differences of the daily reconciliation, by counterpart (ledger: its internal checks)',
      ],
      [
        'esu_bridge_reconciliation_differences_overdue',
        'Open reconciliation differences past their due date (the next working day)',
      ],
    ],
  );
  for (const r of f.reconciliation ?? []) {
    differences.set({ counterpart: r.counterpart.toLowerCase() }, r.open);
    differencesOverdue.set({ counterpart: r.counterpart.toLowerCase() }, r.overdue);
  }
  return registers[0]!.metrics();
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** What the worker's health server answers on `/metrics`. */
export function businessMetrics(pool: Pool, now: () => number = Date.now): () => Promise<string> {
  return async () => renderBusinessMetrics(await collectBusinessFigures(pool, now()));
}
