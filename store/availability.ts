import type { Pool } from '../db/pool.js';
import type { Interval, MinuteBucket } from '../domain/availability.js';

/**
 * Counts of every exchange with a counterpart per minute (PostgreSQL `counterpart_exchange_minutes`): the worker's
 * connectors add to them (activities/availability.ts), the incident detectors, the worker's metrics and the
 * compliance console's availability index read them. Planned maintenance windows (`maintenance_windows`) beside them.
 */
export interface CounterpartMinute extends MinuteBucket {
  counterpart: string;
  latencyMsSum: number;
}

/** Adds the counts to what other workers wrote for the same counterpart and minute, in one statement. */
export async function addExchangeMinutes(pool: Pool, buckets: readonly CounterpartMinute[]): Promise<void> {
  if (!buckets.length) return;
  const col = <K extends keyof CounterpartMinute>(k: K) => buckets.map((b) => b[k]);
  await pool.query(
    `INSERT INTO counterpart_exchange_minutes AS t (counterpart, minute, ok, client_errors, auth_failures, server_errors, network_errors, latency_ms_sum)
     SELECT c, to_timestamp(m / 1000.0), o, ce, af, se, ne, l
     FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::bigint[]) AS u(c, m, o, ce, af, se, ne, l)
     ON CONFLICT (counterpart, minute) DO UPDATE SET
       ok = t.ok + EXCLUDED.ok, client_errors = t.client_errors + EXCLUDED.client_errors,
       auth_failures = t.auth_failures + EXCLUDED.auth_failures, server_errors = t.server_errors + EXCLUDED.server_errors,
       network_errors = t.network_errors + EXCLUDED.network_errors, latency_ms_sum = t.latency_ms_sum + EXCLUDED.latency_ms_sum`,
    [
      col('counterpart'),
      col('minuteMs'),
      col('ok'),
      col('clientErrors'),
      col('authFailures'),
      col('serverErrors'),
      col('networkErrors'),
      col('latencyMsSum'),
    ],
  );
}

/** Minute counts of every counterpart (or one) in [fromMs, toMs). */
export async function loadMinuteBuckets(
  pool: Pool,
  fromMs: number,
  toMs: number,
): Promise<Map<string, MinuteBucket[]>> {
  const { rows } = await pool.query(
    `SELECT counterpart, extract(epoch FROM minute) * 1000 AS minute_ms, ok, client_errors, auth_failures, server_errors, network_errors
     FROM counterpart_exchange_minutes WHERE minute >= to_timestamp($1 / 1000.0) AND minute < to_timestamp($2 / 1000.0)
     ORDER BY counterpart, minute`,
    [fromMs, toMs],
  );
  const byCounterpart = new Map<string, MinuteBucket[]>();
  for (const r of rows) {
    const list = byCounterpart.get(r.counterpart) ?? [];
    list.push({
      minuteMs: Number(r.minute_ms),
      ok: r.ok,
      clientErrors: r.client_errors,
      authFailures: r.auth_failures,
      serverErrors: r.server_errors,
      networkErrors: r.network_errors,
    });
    byCounterpart.set(r.counterpart, list);
  }
  return byCounterpart;
}

export interface MaintenanceWindow extends Interval {
  id: number;
  counterpart: string;
  note: string;
  announcedBy: string;
}

/** Planned maintenance windows overlapping [fromMs, toMs). */
export async function loadMaintenance(pool: Pool, fromMs: number, toMs: number): Promise<MaintenanceWindow[]> {
  const { rows } = await pool.query(
    `SELECT id, counterpart, extract(epoch FROM starts_at) * 1000 AS s, extract(epoch FROM ends_at) * 1000 AS e, note, announced_by
     FROM maintenance_windows WHERE ends_at > to_timestamp($1 / 1000.0) AND starts_at < to_timestamp($2 / 1000.0) ORDER BY starts_at`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    counterpart: r.counterpart,
    startMs: Number(r.s),
    endMs: Number(r.e),
    note: r.note,
    announcedBy: r.announced_by,
  }));
}

/** Records a planned maintenance window an officer announced (instants as ISO 8601 text); answers its id. */
export async function announceMaintenance(
  pool: Pool,
  window: { counterpart: string; startsAt: string; endsAt: string; note: string },
  announcedBy: string,
): Promise<number> {
  const { rows } = await pool.query(
    `INSERT INTO maintenance_windows (counterpart, starts_at, ends_at, note, announced_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [window.counterpart, window.startsAt, window.endsAt, window.note, announcedBy],
  );
  return Number(rows[0].id);
}
