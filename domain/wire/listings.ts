import { z } from 'zod';
import { IsoDateTime } from './common.js';

/**
 * The listings a counterpart offers for reconciliation, one Almaty day at a time and paged: ESU's recorded
 * operations, Nomapay's daily statement of transfers and refunds, AFM's accepted records. The real APIs are
 * private; these are the shapes our simulators serve and the reconciliation activities read. None carries the
 * bettor's IIN: reconciliation compares ids, kinds, amounts and statuses only.
 *
 * GET /v1/operations?date=YYYY-MM-DD&cursor=&limit=            (ESU)     → EsuOperationsPage
 * GET /v1/statements/daily?date=YYYY-MM-DD&cursor=&limit=      (Nomapay) → NomapayStatementPage
 * GET /v1/accepted-records?date=YYYY-MM-DD&cursor=&limit=      (AFM)     → AfmAcceptedRecordsPage
 *
 * The cursor is opaque to the caller: pass back `nextCursor` while `hasMore`.
 */
export const ListingDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-10')
  .refine((d) => {
    const ms = Date.parse(`${d}T00:00:00Z`);
    // A real calendar day (not 2026-02-30), in the years esu-bridge can hold records of.
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d && d >= '2000-01-01' && d <= '2099-12-31';
  }, 'is not a calendar date between 2000-01-01 and 2099-12-31');

export const ListingQuery = z.strictObject({
  date: ListingDate,
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a cursor this listing gave')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListingQuery = z.infer<typeof ListingQuery>;

/** A page of a listing: its records under `key`, and `nextCursor` to pass back while `hasMore`. */
function listingPage<K extends string, T extends z.ZodType>(key: K, record: T) {
  const records = { [key]: z.array(record) } as Record<K, z.ZodArray<T>>;
  return z.object({ ...records, nextCursor: z.string().optional(), hasMore: z.boolean() });
}

/**
 * One counterpart's listing, as the simulator serves it and the reconciliation reads it: its path, the key of its
 * records in a page, a record's schema and its page's, and what of a record is its id and its time (which orders
 * the listing, ties by id, and puts the record in a day).
 */
function listing<K extends string, T extends z.ZodObject>(
  path: string,
  key: K,
  record: T,
  id: TextField<z.infer<T>>,
  at: TextField<z.infer<T>>,
) {
  const field = (name: TextField<z.infer<T>>) => (r: z.infer<T>) => r[name] as string;
  return { path, key, record, page: listingPage(key, record), id: field(id), at: field(at) };
}

/** The fields of a record that hold text (an id, a time). */
type TextField<R> = { [F in keyof R]: R[F] extends string ? F : never }[keyof R];

export const EsuListedOperation = z.object({
  operationId: z.string().min(1),
  receiptId: z.string().min(1),
  kind: z.string().min(1),
  amountTiyn: z.number().int(),
  recordedAt: IsoDateTime,
  /** RECORDED; ANNULLED when ESU struck the record off. */
  status: z.string().min(1),
});
export type EsuListedOperation = z.infer<typeof EsuListedOperation>;

export const NomapayStatementEntry = z.object({
  transferId: z.string().min(1),
  direction: z.string().min(1),
  amountTiyn: z.number().int(),
  /** COMPLETED or REFUNDED (the refund on the same line, with its time). */
  status: z.string().min(1),
  completedAt: IsoDateTime,
  refundedAt: IsoDateTime.optional(),
});
export type NomapayStatementEntry = z.infer<typeof NomapayStatementEntry>;

export const AfmAcceptedRecord = z.object({
  submissionId: z.string().min(1),
  messageId: z.string().min(1),
  acceptedAt: IsoDateTime,
  /** ACCEPTED_FOR_PROCESSING, or REJECTED when AFM said it could not accept the data. */
  status: z.string().min(1),
  /** The amount received from or paid to the bettor (annex 2 items 3 and 5). */
  amountTiyn: z.number().int(),
});
export type AfmAcceptedRecord = z.infer<typeof AfmAcceptedRecord>;

/**
 * Each counterpart's listing: path, key, record, and the fields of its id and its time (a Nomapay entry's is its
 * transfer's completion; a refund lists it on the refund's day too).
 */
export const Listings = {
  ESU: listing('/v1/operations', 'operations', EsuListedOperation, 'operationId', 'recordedAt'),
  NOMAPAY: listing('/v1/statements/daily', 'entries', NomapayStatementEntry, 'transferId', 'completedAt'),
  AFM: listing('/v1/accepted-records', 'records', AfmAcceptedRecord, 'submissionId', 'acceptedAt'),
} as const;
export const EsuOperationsPage = Listings.ESU.page;
export type EsuOperationsPage = z.infer<typeof EsuOperationsPage>;
export const NomapayStatementPage = Listings.NOMAPAY.page;
export type NomapayStatementPage = z.infer<typeof NomapayStatementPage>;
export const AfmAcceptedRecordsPage = Listings.AFM.page;
export type AfmAcceptedRecordsPage = z.infer<typeof AfmAcceptedRecordsPage>;

/** Almaty (UTC+05:00 since 2024-03-01, the whole of Kazakhstan): the day a counterpart's listing covers. */
export const ALMATY_OFFSET_MINUTES = 300;

/** The instants [from, to) of an Almaty day. */
export function almatyDayBounds(day: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(`${day}T00:00:00Z`) - ALMATY_OFFSET_MINUTES * 60_000;
  return { fromMs, toMs: fromMs + 24 * 3600_000 };
}

/** The Almaty day of an instant. */
export function almatyDay(ms: number): string {
  return new Date(ms + ALMATY_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/** One page of `items` (already in the listing's order) for a cursor and limit. */
export function pageOf<T>(
  items: readonly T[],
  query: ListingQuery,
): { items: T[]; nextCursor?: string; hasMore: boolean } {
  const from = query.cursor === undefined ? 0 : Number(query.cursor);
  const slice = items.slice(from, from + query.limit);
  const next = from + slice.length;
  return { items: slice, ...(next < items.length ? { nextCursor: String(next) } : {}), hasMore: next < items.length };
}
