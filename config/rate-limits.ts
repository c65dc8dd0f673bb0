import { z } from 'zod';
import { DEFAULT_REQUESTS_PER_HOUR } from '../domain/migration.js';
import type { Counterpart } from '../domain/wire/common.js';

import { parseEnv, type Env } from './env.js';

/** One counterpart's share of the outbound budget: tokens per hour, and how many may go at once after a quiet spell. */
export interface RateLimit {
  perHour: number;
  burst: number;
}

export interface OutboundRateLimits {
  limits: Record<Counterpart, RateLimit>;
  /** How long a request may queue inside its activity for a slot; past that the activity fails retryably. */
  maxWaitMs: number;
}

/** Env prefix per counterpart, as the endpoints use them (config/counterparts.ts). */
const PREFIX: Record<Counterpart, string> = { esu: 'ESU', nomapay: 'NOMAPAY', tsoid: 'NOMAPAY_ID', afm: 'AFM' };

const PerHour = z.coerce
  .number()
  .int('must be a whole number of requests an hour')
  .positive('must be positive')
  .default(DEFAULT_REQUESTS_PER_HOUR);

/**
 * Outbound rate limits shared by every worker (activities/rate-limit.ts): `<PREFIX>_RATE_LIMIT_PER_HOUR` per
 * counterpart (ESU, NOMAPAY, NOMAPAY_ID for Nomapay's identification API, AFM), by default 1 800 an hour —
 * the figure the migration paces at, under the e-government integration rules, annex 2's peak of 2 000 requests an hour and clear of the
 * anomalous traffic that suspends a participant (ЦОИД rules §49.3). OUTBOUND_RATE_LIMIT_BURST (default 10) and
 * OUTBOUND_RATE_LIMIT_MAX_WAIT_MS (default 10 000, below the activities' 30 s startToCloseTimeout).
 */
export function outboundRateLimits(env: Env = process.env): OutboundRateLimits {
  const schema = z.object({
    ESU_RATE_LIMIT_PER_HOUR: PerHour,
    NOMAPAY_RATE_LIMIT_PER_HOUR: PerHour,
    NOMAPAY_ID_RATE_LIMIT_PER_HOUR: PerHour,
    AFM_RATE_LIMIT_PER_HOUR: PerHour,
    OUTBOUND_RATE_LIMIT_BURST: z.coerce.number().int().min(1, 'must be at least 1').default(10),
    OUTBOUND_RATE_LIMIT_MAX_WAIT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(25_000, 'must stay under the activities’ 30 s timeout')
      .default(10_000),
  });
  const e = parseEnv(schema, env) as Record<string, number>;
  const burst = e.OUTBOUND_RATE_LIMIT_BURST!;
  const limits = Object.fromEntries(
    Object.entries(PREFIX).map(([c, p]) => [c, { perHour: e[`${p}_RATE_LIMIT_PER_HOUR`]!, burst }]),
  ) as Record<Counterpart, RateLimit>;
  return { limits, maxWaitMs: e.OUTBOUND_RATE_LIMIT_MAX_WAIT_MS! };
}
