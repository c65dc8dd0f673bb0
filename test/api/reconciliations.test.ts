import { describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { buildApi } from '../../api/server.js';
import type { EsuBridgeClient } from '../../client/index.js';
import type { Pool } from '../../db/pool.js';

/** The reconciliation routes over a fake client and pool: validation, scopes, the start and the read. */
const KEY = 'unit-test-key-0123456789';
const OTHER = 'unit-test-other-0123456789';

async function app(
  startReconciliation = vi.fn(async () => ({
    workflowId: 'Reconciliation:2026-12-01',
    runId: 'run-1',
    joined: false,
    result: async () => undefined as never,
  })),
) {
  const query = vi.fn(async () => ({ rows: [], rowCount: 1 }));
  const config = apiConfig({
    API_KEYS: `${apiKeyEntry('ops', KEY, ['reconciliations:read', 'reconciliations:write'])},${apiKeyEntry('shop', OTHER, ['deposits:read'])}`,
  });
  const api = await buildApi({
    client: { bettorRef: (s: string) => s, startReconciliation } as unknown as EsuBridgeClient,
    pool: { query } as unknown as Pool,
    config,
  });
  return { api, startReconciliation };
}

/** GETs a day's reconciliation with `key`. */
const read = (api: Awaited<ReturnType<typeof app>>['api'], day: string, key = KEY) =>
  api.inject({ method: 'GET', url: `/v1/reconciliations/${day}`, headers: { authorization: `Bearer ${key}` } });

describe('reconciliation over the API', () => {
  it('reads a day not reconciled yet, refuses a day that is none (400 naming it) and a key without the scope (403)', async () => {
    const { api } = await app();
    const ok = await read(api, '2026-12-01');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      day: '2026-12-01',
      runs: 0,
      open: 0,
      differences: [],
      summary: '2026-12-01: not reconciled yet',
    });
    const bad = await read(api, '2026-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('day');
    const forbidden = await read(api, '2026-12-01', OTHER);
    expect(forbidden.statusCode).toBe(403);
    await api.close();
  });

  it('starts a day’s run and answers 202 at once', async () => {
    const { api, startReconciliation } = await app();
    const res = await api.inject({
      method: 'POST',
      url: '/v1/reconciliations/2026-12-01',
      headers: {
        authorization: `Bearer ${KEY}`,
        'idempotency-key': 'recon-2026-12-01-a',
        'content-type': 'application/json',
      },
      payload: { graceMinutes: 0 },
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({
      day: '2026-12-01',
      workflowId: 'Reconciliation:2026-12-01',
      runId: 'run-1',
      joined: false,
    });
    expect(startReconciliation).toHaveBeenCalledWith('2026-12-01', { graceMinutes: 0 });
    const doc = (await api.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/reconciliations/{day}']).toMatchObject({
      get: { operationId: 'getReconciliation' },
      post: { operationId: 'startReconciliation' },
    });
    await api.close();
  });
});
