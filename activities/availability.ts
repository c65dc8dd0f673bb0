import type { Pool } from '../db/pool.js';
import { classifyExchange, minuteOf, type Interval, type MinuteBucket } from '../domain/availability.js';
import type { Exchange, ExchangeObserver } from './http.js';

/**
 * Counts every exchange the connectors see (CounterpartClient's observer) per counterpart and minute, and
 * flushes the counts to PostgreSQL every few seconds, adding to what other workers wrote for the same minute.
 * These observations feed the availability index and the "counterpart unreachable" detector.
 */
export interface ExchangeRecorder {
  observe: ExchangeObserver;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface PendingBucket extends MinuteBucket {
  counterpart: string;
  latencyMsSum: number;
}

export function createExchangeRecorder(
  pool: Pool,
  { flushEveryMs = 5_000 }: { flushEveryMs?: number } = {},
): ExchangeRecorder {
  let pending = new Map<string, PendingBucket>();
  let flushing: Promise<void> = Promise.resolve();

  function observe(exchange: Exchange): void {
    const minuteMs = minuteOf(exchange.sentAt.getTime());
    const key = `${exchange.counterpart}|${minuteMs}`;
    let bucket = pending.get(key);
    if (!bucket) {
      bucket = {
        counterpart: exchange.counterpart,
        minuteMs,
        ok: 0,
        clientErrors: 0,
        authFailures: 0,
        serverErrors: 0,
        networkErrors: 0,
        latencyMsSum: 0,
      };
      pending.set(key, bucket);
    }
    bucket[classifyExchange(exchange.status)] += 1;
    bucket.latencyMsSum += exchange.receivedAt.getTime() - exchange.sentAt.getTime();
  }

  async function write(buckets: PendingBucket[]): Promise<void> {
    if (!buckets.length) return;
    const col = <K extends keyof PendingBucket>(k: K) => buckets.map((b) => b[k]);
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

  function flush(): Promise<void> {
    const batch = [...pending.values()];
    pending = new Map();
    // Serialised, and a failed write puts its counts back for the next flush rather than losing them.
    flushing = flushing.then(() =>
      write(batch).catch(() => {
        for (const b of batch) {
          const key = `${b.counterpart}|${b.minuteMs}`;
          const current = pending.get(key);
          if (!current) pending.set(key, b);
          else
            for (const k of [
              'ok',
              'clientErrors',
              'authFailures',
              'serverErrors',
              'networkErrors',
              'latencyMsSum',
            ] as const)
              current[k] += b[k];
        }
      }),
    );
    return flushing;
  }

  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();
  return {
    observe,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
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
