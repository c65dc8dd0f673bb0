import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { almatyDay } from '../../domain/wire/listings.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { bearer, requestJson as call } from '../support/unit-http.js';

/** The counterparts' daily listings for reconciliation: paged, validated, and the admin routes that make them differ. */
let sims: RunningSimulators;
const auth = bearer;
const today = almatyDay(Date.now());

beforeAll(async () => {
  sims = await startSimulators({
    esu: { port: 0, apiKey: 'l-esu' },
    nomapay: { port: 0, apiKey: 'l-np' },
    afm: { port: 0, apiKey: 'l-afm' },
  });
});
afterAll(async () => sims?.close());

async function record(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uniqueId('dep'));
  for (const id of ids) {
    const res = await call(
      sims.esu.url,
      'POST',
      '/v1/operations',
      {
        operationId: id,
        kind: 'DEPOSIT',
        iin: adultIin(),
        amountTiyn: 5_000,
        currency: 'KZT',
        occurredAt: new Date().toISOString(),
      },
      { ...auth('l-esu'), 'idempotency-key': id },
    );
    expect(res.status).toBe(201);
  }
  return ids;
}

/** ESU's listing of recorded operations for `query` (date, cursor, limit). */
const esuListing = (query: string) => call(sims.esu.url, 'GET', `/v1/operations?${query}`, undefined, auth('l-esu'));
/** ESU's operations recorded today, all on one page. */
const todaysOperations = async () =>
  (await esuListing(`date=${today}&limit=1000`)).body.operations as {
    operationId: string;
    amountTiyn: number;
    status: string;
  }[];

describe('counterpart listings by Almaty day', () => {
  it('ESU pages the day’s recorded operations with a cursor; another day is empty', async () => {
    const ids = await record(3);
    const first = await esuListing(`date=${today}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ hasMore: true, nextCursor: '2' });
    const second = await esuListing(`date=${today}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.hasMore).toBe(false);
    const listed = [...first.body.operations, ...second.body.operations];
    expect(listed.map((o: { operationId: string }) => o.operationId)).toEqual(expect.arrayContaining(ids));
    expect(listed[0]).toEqual({
      operationId: expect.any(String),
      receiptId: expect.stringMatching(/^ESU-/),
      kind: 'DEPOSIT',
      amountTiyn: 5_000,
      recordedAt: expect.any(String),
      status: 'RECORDED',
    });
    expect(JSON.stringify(listed)).not.toMatch(/"iin"/);
    expect((await esuListing('date=2020-01-01')).body).toEqual({
      operations: [],
      hasMore: false,
    });
  });

  it('answers 400 naming the field for a bad date, cursor or limit', async () => {
    for (const [query, field] of [
      ['date=2026-13-01', 'date'],
      ['', 'date'],
      [`date=${today}&cursor=abc`, 'cursor'],
      [`date=${today}&limit=0`, 'limit'],
      [`date=${today}&extra=1`, '(body)'],
    ] as const) {
      for (const [base, path, key] of [
        [sims.esu.url, '/v1/operations', 'l-esu'],
        [sims.nomapay.url, '/v1/statements/daily', 'l-np'],
        [sims.afm.url, '/v1/accepted-records', 'l-afm'],
      ] as const) {
        const res = await call(base, 'GET', `${path}?${query}`, undefined, auth(key));
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    }
  });

  it('drops, alters and adds a record through the admin routes', async () => {
    const [dropped, altered, copied] = await record(3);
    expect((await call(sims.esu.url, 'POST', '/__admin/listing/drop', { id: dropped })).status).toBe(204);
    expect(
      (await call(sims.esu.url, 'POST', '/__admin/listing/alter', { id: altered, amountTiyn: 1, status: 'ANNULLED' }))
        .status,
    ).toBe(204);
    const before = await todaysOperations();
    const copy = before.find((o) => o.operationId === copied)!;
    expect((await call(sims.esu.url, 'POST', '/__admin/listing/add', { record: copy })).status).toBe(201);
    const after = await todaysOperations();
    expect(after.some((o) => o.operationId === dropped)).toBe(false);
    expect(after.find((o) => o.operationId === altered)).toMatchObject({ amountTiyn: 1, status: 'ANNULLED' });
    expect(after.filter((o) => o.operationId === copied)).toHaveLength(2);
    expect((await call(sims.esu.url, 'POST', '/__admin/listing/drop', { id: 'no-such' })).status).toBe(404);
    const bad = await call(sims.esu.url, 'POST', '/__admin/listing/alter', { id: altered });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('amountTiyn');
  });

  it('Nomapay’s statement shows a refund on the transfer’s line', async () => {
    const transferId = uniqueId('dep');
    const made = await call(
      sims.nomapay.url,
      'POST',
      '/v1/transfers',
      { transferId, iin: adultIin(), direction: 'BETTOR_TO_BOOKMAKER', amountTiyn: 7_000, currency: 'KZT' },
      { ...auth('l-np'), 'idempotency-key': transferId },
    );
    expect(made.status).toBe(201);
    expect(
      (
        await call(
          sims.nomapay.url,
          'POST',
          `/v1/transfers/${transferId}/refund`,
          { reason: 'test' },
          { ...auth('l-np'), 'idempotency-key': `${transferId}:refund` },
        )
      ).status,
    ).toBe(200);
    const entries = (await call(sims.nomapay.url, 'GET', `/v1/statements/daily?date=${today}`, undefined, auth('l-np')))
      .body.entries as { transferId: string }[];
    expect(entries.find((e) => e.transferId === transferId)).toEqual({
      transferId,
      direction: 'BETTOR_TO_BOOKMAKER',
      amountTiyn: 7_000,
      status: 'REFUNDED',
      completedAt: expect.any(String),
      refundedAt: expect.any(String),
    });
  });
});
