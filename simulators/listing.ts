import { z } from 'zod';
import { almatyDayBounds, ListingQuery, pageOf } from '../domain/wire/listings.js';
import { HttpError, parseBody, type Route } from './http.js';

/**
 * What the three simulators share for reconciliation: a day's listing of a counterpart's records, by Almaty day and
 * in time order, and the test-only admin routes that make a counterpart's records differ from ours — each kind of
 * difference the reconciliation classifies:
 *
 *   POST /__admin/listing/drop   {id}                      the counterpart lost the record (missing at the counterpart)
 *   POST /__admin/listing/alter  {id, amountTiyn?, status?} the counterpart holds another amount or status
 *   POST /__admin/listing/add    {record}                  a record we never made (missing at ours), or a second
 *                                                          copy of one we did (a duplicate)
 */
function inDay(iso: string | undefined, day: string): boolean {
  if (!iso) return false;
  const { fromMs, toMs } = almatyDayBounds(day);
  const at = Date.parse(iso);
  return at >= fromMs && at < toMs;
}

/**
 * `GET <path>?date=&cursor=&limit=`: one page of a day's listing, its records under `key` (operations, entries,
 * records) with the cursor of the next page while there is more.
 */
function listingRoute<T>(path: string, key: string, ofDay: (day: string) => readonly T[]): Route {
  return {
    method: 'GET',
    path,
    handle: ({ query }) => {
      const q = parseBody(ListingQuery, query);
      const page = pageOf(ofDay(q.date), q);
      return {
        status: 200,
        body: { [key]: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), hasMore: page.hasMore },
      };
    },
  };
}

/** The 400 a listing change answers when it asks for a status the record cannot move to: `allowed` names the two it can. */
function invalidListedStatus(allowed: readonly [string, string]): HttpError {
  const message = `must be ${allowed[0]} or ${allowed[1]}`;
  return new HttpError(400, 'INVALID_REQUEST', `status: ${message}`, [
    { field: 'status', code: 'invalid_value', message },
  ]);
}

const Id = z.strictObject({ id: z.string().min(1).max(200) });
const Alteration = z
  .strictObject({
    id: z.string().min(1).max(200),
    amountTiyn: z.number().int().optional(),
    status: z.string().min(1).max(40).optional(),
  })
  .refine((a) => a.amountTiyn !== undefined || a.status !== undefined, {
    message: 'name amountTiyn or status',
    path: ['amountTiyn'],
  });

/** A counterpart's listing for reconciliation: the records it holds as listed, and how a test changes them. */
export interface DayListing<T, Held> {
  /** The listing of domain/wire/listings.ts: its path and key, a record's schema, its id and its time. */
  listing: { path: string; key: string; record: z.ZodType<T>; id(record: T): string; at(record: T): string };
  /** What the counterpart holds, by the id of the record listed. */
  holds: Map<string, Held>;
  /**
   * A held record as listed, with its status now; by default the held record read with the listing's schema, which
   * leaves out what the listing does not show (the bettor's IIN).
   */
  listed?(held: Held): T;
  /** Another instant that lists a record on its day too (a refund's), if any. */
  alsoAt?(record: T): string | undefined;
  /** The counterpart loses a held record: by default it is only taken out of `holds`. */
  drop?(held: Held): void;
  alter(held: Held, change: { amountTiyn?: number; status?: string }): void;
  /** The two statuses a record can be moved to (400 for another); any when absent. */
  statuses?: readonly [string, string];
}

/**
 * The listing's route, its admin routes and its reset: a record a test added is listed with the counterpart's own
 * until the next reset.
 */
export function dayListing<T, Held>(
  counterpart: DayListing<T, Held>,
): { route: Route; adminRoutes: Route[]; reset(): void } {
  const added: T[] = [];
  const { listing, holds, statuses } = counterpart;
  const { id, at } = listing;
  const ofDay = (day: string) =>
    [...[...holds.values()].map(counterpart.listed ?? ((held) => listing.record.parse(held))), ...added]
      .filter((r) => inDay(at(r), day) || inDay(counterpart.alsoAt?.(r), day))
      .sort((a, b) => at(a).localeCompare(at(b)) || id(a).localeCompare(id(b)));
  const heldOr404 = (id: string): Held => {
    const held = holds.get(id);
    if (held === undefined) throw new HttpError(404, 'NOT_FOUND', `no record ${id}`);
    return held;
  };
  const adminRoutes: Route[] = [
    {
      method: 'POST',
      path: '/__admin/listing/drop',
      handle: ({ body }) => {
        const { id } = parseBody(Id, body);
        const held = heldOr404(id);
        if (counterpart.drop) counterpart.drop(held);
        else holds.delete(id);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'POST',
      path: '/__admin/listing/alter',
      handle: ({ body }) => {
        const { id, ...change } = parseBody(Alteration, body);
        const held = heldOr404(id);
        if (statuses && change.status !== undefined && !statuses.includes(change.status))
          throw invalidListedStatus(statuses);
        counterpart.alter(held, change);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'POST',
      path: '/__admin/listing/add',
      handle: ({ body }) => {
        const { record } = parseBody(z.strictObject({ record: listing.record }), body);
        added.push(record);
        return { status: 201, body: record };
      },
    },
  ];
  return {
    route: listingRoute(listing.path, listing.key, ofDay),
    adminRoutes,
    reset: () => void (added.length = 0),
  };
}
