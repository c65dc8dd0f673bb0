import type { Pool } from '../db/pool.js';
import { classifyExchange, EXCHANGE_OUTCOMES, minuteOf } from '../domain/availability.js';
import { addExchangeMinutes, type CounterpartMinute } from '../store/availability.js';
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

type PendingBucket = CounterpartMinute;
/** What a bucket counts and sums: each outcome of an exchange, and the latency. */
const COUNTED = [...EXCHANGE_OUTCOMES, 'latencyMsSum'] as const;

const nothingCounted = () =>
  Object.fromEntries(COUNTED.map((k) => [k, 0])) as Pick<PendingBucket, (typeof COUNTED)[number]>;

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
      bucket = { counterpart: exchange.counterpart, minuteMs, ...nothingCounted() };
      pending.set(key, bucket);
    }
    bucket[classifyExchange(exchange.status)] += 1;
    bucket.latencyMsSum += exchange.receivedAt.getTime() - exchange.sentAt.getTime();
  }

  const write = (buckets: PendingBucket[]) => addExchangeMinutes(pool, buckets);

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
          else for (const k of COUNTED) current[k] += b[k];
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
