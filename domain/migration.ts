import { z } from 'zod';
import { BusinessKey } from './ids.js';
import { Text } from './text.js';

/**
 * Bulk migration (re-identification) of the bookmaker's existing bettors through Nomapay as agent
 * (the ESU integration plan, items 6–7). Each bettor is one identification child workflow in MIGRATION mode.
 */

/** Requests one migrated bettor makes at Nomapay's identification API: consent registration, photo match, personal data. */
export const MIGRATION_REQUESTS_PER_BETTOR = 3;
/**
 * The e-government integration rules, annex 2 puts a state integration's peak at 2000 requests/hour and ЦОИД rules §49.3 suspends a
 * participant for anomalous volume: the default keeps 10 % below that peak.
 */
export const DEFAULT_REQUESTS_PER_HOUR = 1800;

export const MigrationSource = z.discriminatedUnion('kind', [
  /** A UTF-8 CSV with a header: bettor_id,iin,phone,consent_given_at,agreement_version,photo_ref. */
  z.strictObject({ kind: z.literal('csv'), path: Text(4096, { min: 1 }) }),
  /** A PostgreSQL table with those columns (see db/migrations/003_identification.sql, migration_bettors). */
  z.strictObject({
    kind: z.literal('table'),
    table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'table must be a plain lower-case name'),
  }),
]);
export type MigrationSource = z.infer<typeof MigrationSource>;

/** Strict: a setting the migration does not know is refused, naming it, rather than silently ignored. */
export const MigrationRequest = z.strictObject({
  migrationId: BusinessKey,
  source: MigrationSource,
  /** Identifications running at once. */
  concurrency: z.number().int().min(1).max(500).default(10),
  requestsPerHour: z.number().int().min(1).default(DEFAULT_REQUESTS_PER_HOUR),
  /** Rows read from the source per activity call. */
  readBatchSize: z.number().int().min(1).max(1000).default(100),
  /** Bettors started per run before continue-as-new, so one run's history stays bounded. */
  bettorsPerRun: z.number().int().min(1).max(5000).default(250),
  /** Who started it (journal: acting user, National Bank resolution No. 116 §55.11). */
  requestedBy: Text(64, { min: 1 }).default('system'),
});
export type MigrationRequest = z.input<typeof MigrationRequest>;
export type MigrationSettings = z.output<typeof MigrationRequest>;

/**
 * The workflow's own input: the request, plus what one run hands the next through continue-as-new. Only the
 * workflow sets `carried` (the client starts it from a MigrationRequest, which refuses the field); its shape
 * is the workflow's business.
 */
export const MigrationRunInput = MigrationRequest.extend({ carried: z.looseObject({}).optional() });

/** One source row as read: strings, validated by the workflow so a bad row is an outcome, not a crash. */
export interface MigrationRow {
  /** 1-based position in the source, for the operator's error list. */
  position: number;
  bettorId: string;
  iin: string;
  phone: string;
  consentGivenAt: string;
  agreementVersion: string;
  photoRef: string;
}

export const MigrationOutcome = z.enum([
  'IDENTIFIED',
  /** Identified before (in the app or an earlier migration): nothing was sent again. */
  'ALREADY_IDENTIFIED',
  'IN_REVIEW',
  'REFUSED',
  /** Technical failure after retries. */
  'FAILED',
  /** The row did not validate (IIN check digit, phone, missing consent): nothing was sent. */
  'INVALID',
  /** The bettor is identifying in the app right now; the migration leaves them to it. */
  'BUSY',
]);
export type MigrationOutcome = z.infer<typeof MigrationOutcome>;

export type OutcomeCounts = Record<MigrationOutcome, number>;
/** A zero for every outcome, in the order MigrationOutcome names them. */
export const emptyCounts = (): OutcomeCounts =>
  Object.fromEntries(MigrationOutcome.options.map((outcome) => [outcome, 0])) as OutcomeCounts;

export const MigrationStatus = {
  Running: 'RUNNING',
  Paused: 'PAUSED',
  /** Cancel accepted: no new bettors start; those in flight settle, then CANCELLED. */
  Cancelling: 'CANCELLING',
  Cancelled: 'CANCELLED',
  Completed: 'COMPLETED',
} as const;
export type MigrationStatus = (typeof MigrationStatus)[keyof typeof MigrationStatus];

/** The progress the `getStatus` query, the memo and the CLI show. No personal data. */
export interface MigrationProgress {
  migrationId: string;
  status: MigrationStatus;
  total?: number;
  settled: number;
  /** Identified now or before. */
  done: number;
  /** Refused, failed, invalid rows and bettors busy in the app. */
  failed: number;
  inReview: number;
  remaining?: number;
  inFlight: number;
  counts: OutcomeCounts;
  ratePerHour: number;
  etaAt?: string;
  startedAt: string;
  updatedAt: string;
  /** Runs of the workflow so far (continue-as-new). */
  run: number;
}

/**
 * The rate limit as a generic cell-rate algorithm over workflow time: one bettor every `interval`, with a
 * burst of at most `concurrency` bettors. In any rolling hour that keeps the requests at or below
 * `requestsPerHour` plus one burst.
 */
export function bettorIntervalMs(requestsPerHour: number): number {
  return (3_600_000 * MIGRATION_REQUESTS_PER_BETTOR) / requestsPerHour;
}

export function admit(
  theoreticalArrivalMs: number,
  nowMs: number,
  intervalMs: number,
  burst: number,
): { waitMs: number; nextTheoreticalArrivalMs: number } {
  const tolerance = Math.max(0, burst - 1) * intervalMs;
  const earliest = theoreticalArrivalMs - tolerance;
  if (nowMs < earliest) return { waitMs: Math.ceil(earliest - nowMs), nextTheoreticalArrivalMs: theoreticalArrivalMs };
  return { waitMs: 0, nextTheoreticalArrivalMs: Math.max(theoreticalArrivalMs, nowMs) + intervalMs };
}

/** Fewer settlements than this say more about the start-up burst than about the pace. */
export const MIN_RATE_SAMPLES = 5;

/** Settled bettors per hour over the recent window of settle times (ms, ascending); 0 until there are enough. */
export function ratePerHour(settleTimesMs: readonly number[]): number {
  if (settleTimesMs.length < MIN_RATE_SAMPLES) return 0;
  const span = settleTimesMs[settleTimesMs.length - 1]! - settleTimesMs[0]!;
  return span <= 0 ? 0 : ((settleTimesMs.length - 1) * 3_600_000) / span;
}

export function summarise(counts: OutcomeCounts): Pick<MigrationProgress, 'settled' | 'done' | 'failed' | 'inReview'> {
  const done = counts.IDENTIFIED + counts.ALREADY_IDENTIFIED;
  const failed = counts.REFUSED + counts.FAILED + counts.INVALID + counts.BUSY;
  return { settled: done + failed + counts.IN_REVIEW, done, failed, inReview: counts.IN_REVIEW };
}

export function etaMs(remaining: number | undefined, rate: number): number | undefined {
  if (remaining === undefined || rate <= 0) return undefined;
  return Math.ceil((remaining / rate) * 3_600_000);
}
