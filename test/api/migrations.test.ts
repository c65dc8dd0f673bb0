import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { buildApi } from '../../api/server.js';
import type { EsuBridgeClient } from '../../client/index.js';
import type { MigrationHandle } from '../../client/migration.js';
import type { Pool } from '../../db/pool.js';
import type { MigrationProgress } from '../../domain/migration.js';

const KEY = 'unit-test-key-0123456789';

const progress = (status: MigrationProgress['status']): MigrationProgress => ({
  migrationId: 'mig-1',
  status,
  settled: 0,
  done: 0,
  failed: 0,
  inReview: 0,
  inFlight: 0,
  counts: {} as MigrationProgress['counts'],
  ratePerHour: 0,
  startedAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  run: 1,
});

/** The API over a migration client whose steps answer `step` (the idempotency keys and journal on a fake pool). */
async function appWith(step: (actor: string) => Promise<MigrationProgress>, scopes = ['migrations:write']) {
  const handle = { pause: vi.fn(step), resume: vi.fn(step), cancel: vi.fn(step) };
  const migration = vi.fn(() => handle as unknown as MigrationHandle);
  const app = await buildApi({
    client: { bettorRef: (s: string) => s, migration } as unknown as EsuBridgeClient,
    pool: { query: vi.fn(async () => ({ rows: [], rowCount: 1 })) } as unknown as Pool,
    config: apiConfig({ API_KEYS: apiKeyEntry('ops-migrations', KEY, scopes) }),
  });
  const post = (url: string, payload: unknown = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${KEY}`, 'idempotency-key': 'step-1', 'content-type': 'application/json' },
      payload: payload as Record<string, unknown>,
    });
  return { post, handle, migration };
}

describe('the migration steps (POST /v1/migrations/{id}/pause|resume|cancel)', () => {
  it('acts as the calling API key, whatever the body names, and answers the progress', async () => {
    const { post, handle, migration } = await appWith(async () => progress('PAUSED'));
    const res = await post('/v1/migrations/mig-1/pause', { actor: 'someone-else', requestedBy: 'someone-else' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ migrationId: 'mig-1', status: 'PAUSED' });
    expect(migration).toHaveBeenCalledWith('mig-1');
    expect(handle.pause).toHaveBeenCalledWith('ops-migrations');
    expect((await post('/v1/migrations/mig-1/resume')).statusCode).toBe(200);
    expect(handle.resume).toHaveBeenCalledWith('ops-migrations');
    expect((await post('/v1/migrations/mig-1/cancel')).statusCode).toBe(200);
    expect(handle.cancel).toHaveBeenCalledWith('ops-migrations');
  });

  it.each([
    [
      'an unknown migration 404',
      'workflow not found for ID: Migration:nope',
      '/v1/migrations/nope/pause',
      404,
      { type: 'urn:esu-bridge:problem:not-found', detail: expect.stringContaining('nope') },
    ],
    [
      'an ended one 409',
      'workflow execution already completed',
      '/v1/migrations/mig-1/resume',
      409,
      { detail: 'the migration mig-1 has ended: nothing to resume', errorType: 'IdentificationStepRejected' },
    ],
  ])('answers %s when Temporal finds no run to act on', async (_case, message, url, status, problem) => {
    const workflowId = `Migration:${url.split('/')[3]}`;
    const { post } = await appWith(async () => {
      throw new WorkflowNotFoundError(message, workflowId, undefined);
    });
    const res = await post(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject(problem);
  });

  it('answers a key without migrations:write 403', async () => {
    const reader = await appWith(async () => progress('PAUSED'), ['migrations:read']);
    expect((await reader.post('/v1/migrations/mig-1/pause')).statusCode).toBe(403);
    expect(reader.handle.pause).not.toHaveBeenCalled();
  });
});
