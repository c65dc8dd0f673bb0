import { z } from 'zod';
import { almatyDayBounds, ListingQuery, pageOf } from '../domain/wire/listings.js';
import { HttpError, parseBody, type Route } from './http.js';

/**
 * What the three simulators share for reconciliation: whether an instant falls in a listing's Almaty day, and
 * the test-only admin routes that make a counterpart's records differ from ours — each kind of difference the
 * reconciliation classifies:
 *
 *   POST /__admin/listing/drop   {id}                      the counterpart lost the record (missing at the counterpart)
 *   POST /__admin/listing/alter  {id, amountTiyn?, status?} the counterpart holds another amount or status
 *   POST /__admin/listing/add    {record}                  a record we never made (missing at ours), or a second
 *                                                          copy of one we did (a duplicate)
 */
export function inDay(iso: string | undefined, day: string): boolean {
  if (!iso) return false;
  const { fromMs, toMs } = almatyDayBounds(day);
  const at = Date.parse(iso);
  return at >= fromMs && at < toMs;
}

/**
 * `GET <path>?date=&cursor=&limit=`: one page of a day's listing, its records under `key` (operations, entries,
 * records) with the cursor of the next page while there is more.
 */
export function listingRoute<T>(path: string, key: string, ofDay: (day: string) => readonly T[]): Route {
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

export interface ListingAdmin<T> {
  /** Removes the record; false when there is none under that id. */
  drop(id: string): boolean;
  alter(id: string, change: { amountTiyn?: number; status?: string }): boolean;
  /** The listing's own schema, for a record added as it would be listed. */
  record: z.ZodType<T>;
  add(record: T): void;
}

export function listingAdminRoutes<T>(admin: ListingAdmin<T>): Route[] {
  return [
    {
      method: 'POST',
      path: '/__admin/listing/drop',
      handle: ({ body }) => {
        const { id } = parseBody(Id, body);
        if (!admin.drop(id)) throw new HttpError(404, 'NOT_FOUND', `no record ${id}`);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'POST',
      path: '/__admin/listing/alter',
      handle: ({ body }) => {
        const { id, ...change } = parseBody(Alteration, body);
        if (!admin.alter(id, change)) throw new HttpError(404, 'NOT_FOUND', `no record ${id}`);
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'POST',
      path: '/__admin/listing/add',
      handle: ({ body }) => {
        const { record } = parseBody(z.strictObject({ record: admin.record }), body);
        admin.add(record);
        return { status: 201, body: record };
      },
    },
  ];
}
