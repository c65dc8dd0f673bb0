import { describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry, DEV_API_KEY, SCOPES } from '../../config/api.js';
import { preferredWait } from '../../api/operations.js';
import { buildApi } from '../../api/server.js';
import { OperationFailedError, type EsuBridgeClient } from '../../client/index.js';
import type { Pool } from '../../db/pool.js';

const KEY = 'unit-test-key-0123456789';

async function appWith(client: Partial<EsuBridgeClient>, env: Record<string, string> = {}) {
  const query = vi.fn(async () => ({ rows: [], rowCount: 1 }));
  const config = apiConfig({ API_KEYS: apiKeyEntry('unit', KEY, ['deposits:read', 'deposits:write']), ...env });
  const app = await buildApi({
    client: { bettorRef: (s: string) => s, ...client } as EsuBridgeClient,
    pool: { query } as unknown as Pool,
    config,
  });
  return { app, query };
}

/**
 * POSTs a deposit with the unit key, under the idempotency key of its depositId (a raw JSON text brings its own
 * in `headers`), with any other `headers`.
 */
function postDeposit(
  app: Awaited<ReturnType<typeof appWith>>['app'],
  payload: string | { depositId: string },
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/v1/deposits',
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(typeof payload === 'string' ? {} : { 'idempotency-key': payload.depositId }),
      'content-type': 'application/json',
      ...headers,
    },
    payload,
  });
}

/** A well-formed deposit request body under `depositId`, with `extra` fields. */
const depositBody = (depositId: string, extra: Record<string, unknown> = {}) => ({
  depositId,
  iin: '900517300128',
  amountTiyn: 100,
  currency: 'KZT',
  ...extra,
});

describe('API keys (API_KEYS)', () => {
  it('keeps names, hashes and scopes; * is every scope; an optional per-key rate', () => {
    const config = apiConfig({
      API_KEYS: `${apiKeyEntry('shop', 'k1-0123456789', ['deposits:write', 'bets:read'])},${apiKeyEntry('ops', 'k2-0123456789', ['*'])}:30`,
    });
    expect(config.devKey).toBe(false);
    expect(config.keys.map((k) => [k.name, [...k.scopes].sort(), k.ratePerMinute])).toEqual([
      ['shop', ['bets:read', 'deposits:write'], undefined],
      ['ops', [...SCOPES].sort(), 30],
    ]);
    expect(JSON.stringify(config.keys)).not.toContain('k1-0123456789');
  });

  it('refuses an unknown scope, a malformed entry and two keys with one name, naming the variable', () => {
    expect(() => apiConfig({ API_KEYS: apiKeyEntry('shop', 'k1-0123456789', ['deposits:delete']) })).toThrow(
      /API_KEYS .*unknown scope deposits:delete/,
    );
    expect(() => apiConfig({ API_KEYS: 'shop:not-a-hash:*' })).toThrow(/API_KEYS/);
    const entry = apiKeyEntry('shop', 'k1-0123456789', ['*']);
    expect(() => apiConfig({ API_KEYS: `${entry},${entry}` })).toThrow(/two keys share a name/);
  });

  it('accepts only the development key when API_KEYS is unset', () => {
    const config = apiConfig({});
    expect(config.devKey).toBe(true);
    expect(config.keys).toHaveLength(1);
    expect(config.keys[0]!.sha256).not.toBe(DEV_API_KEY);
  });
});

describe('Prefer: wait', () => {
  it('answers a start still waiting for its final state at once when the API closes (Ctrl-C), with 202 and the current state', async () => {
    const status = vi.fn(async () => ({ depositId: 'dep-w', status: 'RECEIVED', amountTiyn: 100, compensations: [] }));
    const { app } = await appWith({
      startDeposit: vi.fn(async () => ({ joined: false, status })) as unknown as EsuBridgeClient['startDeposit'],
    });
    const answer = postDeposit(app, depositBody('dep-w'), { prefer: 'wait=30' });
    await vi.waitFor(() => expect(status).toHaveBeenCalled());
    const closed = app.close();
    // Without the close the answer would come after 30 s; 5 s is only a margin for a loaded machine.
    const res = await Promise.race([
      answer,
      new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 5_000)),
    ]);
    expect(res).not.toBe('still waiting');
    const reply = res as Awaited<typeof answer>;
    expect(reply.statusCode).toBe(202);
    expect(reply.headers['preference-applied']).toBeUndefined();
    expect(reply.json()).toMatchObject({ depositId: 'dep-w', status: 'RECEIVED' });
    // …and ends its connection, which kept alive would hold the close for the keep-alive timeout.
    expect(reply.headers.connection).toBe('close');
    await closed;
  });

  it('reads wait=N among other preferences and cuts it to 30 s', () => {
    expect(preferredWait('wait=5')).toBe(5);
    expect(preferredWait('respond-async, wait=100')).toBe(30);
    expect(preferredWait('handling=lenient')).toBeUndefined();
    expect(preferredWait(undefined)).toBeUndefined();
  });
});

describe('problems', () => {
  it('answers an internal failure as a 500 problem that leaks nothing of it', async () => {
    const { app } = await appWith({
      getDeposit: async () => Promise.reject(new Error('password=hunter2 at /srv/secret.ts:12')),
    });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/deposits/dep-1',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toMatch(/hunter2|secret|srv/);
    expect(res.json()).toMatchObject({
      type: 'urn:esu-bridge:problem:internal',
      status: 500,
      instance: expect.stringMatching(/^urn:esu-bridge:request:/),
    });
  });

  it('refuses text no store takes (NUL, a lone surrogate) as 422 naming the field, before anything starts', async () => {
    const startDeposit = vi.fn();
    const { app } = await appWith({ startDeposit });
    const res = await postDeposit(
      app,
      '{"depositId":"dep-1","iin":"\\u0000","amountTiyn":100,"currency":"KZT","note":"\\ud800"}',
      { 'idempotency-key': 'dep-1' },
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'iin' }),
        expect.objectContaining({ field: 'note', message: expect.stringMatching(/NUL or unpaired/) }),
      ]),
    );
    expect(startDeposit).not.toHaveBeenCalled();
  });

  it('answers an id already used by another kind of operation (the operation registry’s refusal) as 409 IdempotencyConflict', async () => {
    const startDeposit = vi.fn(async () => {
      throw new OperationFailedError('Deposit:op-1', 'IdempotencyConflict', 'op-1 is a payout', undefined);
    });
    const { app } = await appWith({ startDeposit });
    const res = await postDeposit(app, depositBody('op-1'));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ status: 409, errorType: 'IdempotencyConflict' });
  });

  it('refuses fields a request does not define, one error per field named by its path, before anything starts', async () => {
    const startDeposit = vi.fn();
    const { app } = await appWith({ startDeposit });
    const res = await postDeposit(app, depositBody('op-2', { bonusTiyn: 5, promo: 'x' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { in: 'body', field: 'bonusTiyn', message: 'unknown field' },
      { in: 'body', field: 'promo', message: 'unknown field' },
    ]);
    expect(startDeposit).not.toHaveBeenCalled();
  });

  it('counts calls without a valid key against their address’s rate limit too', async () => {
    const { app } = await appWith({}, { API_RATE_LIMIT_PER_MINUTE: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await app.inject({
            method: 'GET',
            url: '/v1/deposits/dep-1',
            headers: { authorization: 'Bearer guessed-key-000000' },
          })
        ).statusCode,
      );
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('journals every call with its caller and never its body', async () => {
    const { app, query } = await appWith({
      getDeposit: async () => ({ depositId: 'dep-1', status: 'COMPLETED', amountTiyn: 1, compensations: [] }),
    });
    await app.inject({ method: 'GET', url: '/v1/deposits/dep-1', headers: { authorization: `Bearer ${KEY}` } });
    await app.inject({ method: 'GET', url: '/v1/deposits/dep-1' });
    const journalled = query.mock.calls
      .filter((call) => String((call as unknown[])[0]).startsWith('INSERT INTO journal'))
      .map((call) => (call as unknown[])[1] as unknown[]);
    expect(journalled.map((values) => [values[1], values[2], values[3], values[4]])).toEqual([
      ['api.request', 'unit', 'dep-1', 'OK'],
      ['api.request', '(unauthenticated)', '-', 'REFUSED'],
    ]);
  });
});

describe('probes', () => {
  it('answers /healthz and /readyz without a key, outside the OpenAPI document, the rate limit and the journal', async () => {
    const { app, query } = await appWith({}, { API_RATE_LIMIT_PER_MINUTE: '2' });
    let postgresUp = true;
    const readyApp = await buildApi({
      client: { bettorRef: (s: string) => s } as EsuBridgeClient,
      pool: { query } as unknown as Pool,
      config: apiConfig({ API_KEYS: apiKeyEntry('unit', KEY, ['deposits:read']), API_RATE_LIMIT_PER_MINUTE: '2' }),
      readiness: async () =>
        postgresUp
          ? { status: 'READY', checks: { postgresql: 'UP' } }
          : { status: 'NOT_READY', checks: { postgresql: 'DOWN' } },
    });
    for (let i = 0; i < 5; i++)
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'UP' });
    expect((await readyApp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    postgresUp = false;
    const down = await readyApp.inject({ method: 'GET', url: '/readyz' });
    expect([down.statusCode, down.json()]).toEqual([503, { status: 'NOT_READY', checks: { postgresql: 'DOWN' } }]);
    const paths = Object.keys((await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
    expect(paths).not.toContain('/healthz');
    expect(paths).not.toContain('/readyz');
    const journalled = query.mock.calls
      .map((call) => JSON.stringify(call))
      .filter((text) => text.includes('healthz') || text.includes('readyz'));
    expect(journalled).toEqual([]);
  });
});
