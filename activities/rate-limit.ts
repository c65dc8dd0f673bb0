import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from '../db/pool.js';
import type { OutboundRateLimits } from '../config/rate-limits.js';
import type { Counterpart } from '../domain/wire/common.js';

/**
 * Outbound rate limits shared by every worker: one token bucket per counterpart in PostgreSQL
 * (counterpart_rate_limits, migration 010), consulted by CounterpartClient before each request.
 *
 * One statement takes a token atomically (INSERT … ON CONFLICT DO UPDATE … RETURNING; the row lock orders
 * concurrent takers, the database's clock refills). The balance may go below zero down to `maxWaitMs` worth of
 * tokens: a negative balance is a queue of reserved slots, so a taker knows exactly how long to wait and no two
 * wait for the same slot. A taker who would queue longer takes nothing and fails retryably, with the wait as the
 * retry delay, so the activity's retry policy (not a blocked activity slot) carries it over a long queue.
 */
export interface OutboundRateLimiter {
  /** Waits for a slot at `counterpart`'s endpoint (`origin`, its scheme://host:port), or throws a retryable failure. */
  acquire(counterpart: Counterpart, origin: string, signal?: AbortSignal): Promise<void>;
}

/** `refill` = the balance now, the bucket's capacity at most. */
const REFILL = `LEAST($2::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - b.refilled_at)) * $3::float8)`;
const TAKE = `
  INSERT INTO counterpart_rate_limits AS b (counterpart, tokens, refilled_at, granted, taken)
  VALUES ($1, $2::float8 - 1, clock_timestamp(), true, 1)
  ON CONFLICT (counterpart) DO UPDATE SET
    tokens = CASE WHEN ${REFILL} - 1 >= -$4::float8 THEN ${REFILL} - 1 ELSE ${REFILL} END,
    granted = ${REFILL} - 1 >= -$4::float8,
    taken = b.taken + CASE WHEN ${REFILL} - 1 >= -$4::float8 THEN 1 ELSE 0 END,
    refilled_at = clock_timestamp()
  RETURNING tokens, granted`;

export function createPgRateLimiter(pool: Pool, { limits, maxWaitMs }: OutboundRateLimits): OutboundRateLimiter {
  return {
    async acquire(counterpart, origin, signal) {
      const limit = limits[counterpart];
      if (!limit) return;
      const perSecond = limit.perHour / 3600;
      // One bucket per counterpart and endpoint: the limit is the receiver's, whoever sends.
      const { rows } = await pool.query<{ tokens: number; granted: boolean }>(TAKE, [
        `${counterpart} ${origin}`,
        limit.burst,
        perSecond,
        (maxWaitMs / 1000) * perSecond,
      ]);
      const { tokens, granted } = rows[0]!;
      if (!granted) {
        const waitMs = Math.max(100, Math.ceil(((1 - tokens) / perSecond) * 1000 - maxWaitMs));
        // Spread over a few slots, so the callers turned away together do not all come back at the same instant.
        const jitterMs = Math.floor(Math.random() * (4000 / perSecond));
        throw ApplicationFailure.create({
          message: `${counterpart}: outbound rate limit of ${limit.perHour} requests an hour reached across all workers; next slot in ${waitMs} ms`,
          nonRetryable: false,
          nextRetryDelay: waitMs + jitterMs,
        });
      }
      if (tokens < 0) await sleep(Math.ceil((-tokens / perSecond) * 1000), undefined, { signal });
    },
  };
}
