import { beforeAll, describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { buildApi } from '../../api/server.js';
import type { EsuBridgeClient } from '../../client/index.js';
import { signAfmCallback } from '../../crypto/afm-callback.js';
import type { Pool } from '../../db/pool.js';
import type { DocumentSigner } from '../../crypto/signer.js';
import { loadTestCertificates, signerOf, signingEnv, testCertificates } from '../support/certificates.js';

let ENV: Record<string, string>;
let AFM: DocumentSigner;
beforeAll(async () => {
  AFM = signerOf((await loadTestCertificates()).afm);
  // AFM_CERTIFICATE_PATH / AFM_CA_PATH: AFM's test certificate under the test CA.
  ENV = { API_KEYS: apiKeyEntry('unit', 'unit-test-key-0123456789', ['deposits:read']), ...signingEnv() };
});

/** A pool that knows one acknowledged AFM submission and keeps the verdict ids it took, like migration 009's table. */
function fakePool() {
  const taken = new Set<string>();
  const journal: { event: string; recordId: string; result: string }[] = [];
  const query = vi.fn(async (sql: string, params: unknown[] = []) => {
    if (sql.includes('FROM submissions'))
      return params[0] === 'afm-dep-1' && params[1] === 'AFM-1'
        ? { rows: [{ workflow_id: 'Submission:afm-dep-1' }], rowCount: 1 }
        : { rows: [], rowCount: 0 };
    if (sql.startsWith('INSERT INTO afm_callbacks')) {
      if (taken.has(params[0] as string)) return { rows: [], rowCount: 0 };
      taken.add(params[0] as string);
      return { rows: [], rowCount: 1 };
    }
    if (sql.startsWith('DELETE FROM afm_callbacks'))
      return { rows: [], rowCount: taken.delete(params[0] as string) ? 1 : 0 };
    if (sql.includes('INSERT INTO journal')) {
      // appendJournal's parameters: started_at, event, actor, record_id, result, details, dedupe_key.
      journal.push({ event: String(params[1]), recordId: String(params[3]), result: String(params[4]) });
    }
    return { rows: [], rowCount: 1 };
  });
  return { pool: { query } as unknown as Pool, journal, taken };
}

async function appWith(signal: EsuBridgeClient['signalAfmVerdict']) {
  const { pool, journal } = fakePool();
  const app = await buildApi({
    client: { bettorRef: (s: string) => s, signalAfmVerdict: signal } as EsuBridgeClient,
    pool,
    config: apiConfig(ENV),
  });
  return { app, journal };
}

function callback(
  overrides: { id?: string; submissionId?: string; sentAt?: string } = {},
  signer: DocumentSigner = AFM,
) {
  return signAfmCallback(
    {
      message: {
        id: overrides.id ?? 'MSG-1',
        type: 'SUBMISSION_REJECTED',
        messageId: 'AFM-1',
        submissionId: overrides.submissionId ?? 'afm-dep-1',
        rejection: {
          code: 'IIN_UNKNOWN',
          reason: 'the IIN is not in the state register',
          rejectedAt: new Date().toISOString(),
        },
        publishedAt: new Date().toISOString(),
      },
      sentAt: overrides.sentAt ?? new Date().toISOString(),
    },
    signer,
  );
}

const push = (app: Awaited<ReturnType<typeof appWith>>['app'], body: unknown) =>
  app.inject({ method: 'POST', url: '/v1/afm/verdicts', payload: body as object });

describe("AFM's pushed verdicts (POST /v1/afm/verdicts)", () => {
  it('signals the submission a signed callback names and answers a receipt, without an API key', async () => {
    const signal = vi.fn(async () => 'DELIVERED' as const);
    const { app, journal } = await appWith(signal);
    const res = await push(app, await callback());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      received: true,
      verdictId: 'MSG-1',
      submissionId: 'afm-dep-1',
      outcome: 'DELIVERED',
    });
    expect(signal).toHaveBeenCalledTimes(1);
    expect(signal).toHaveBeenCalledWith(
      'afm-dep-1',
      expect.objectContaining({ channel: 'PUSH', verdictId: 'MSG-1', messageId: 'AFM-1', code: 'IIN_UNKNOWN' }),
    );
    expect(journal.map((j) => j.event)).toContain('afm.verdict-received');
  });

  it('refuses a forged callback (another key, or a changed body) with 401 problem+json, journalled, and signals nothing', async () => {
    const signal = vi.fn(async () => 'DELIVERED' as const);
    const { app, journal } = await appWith(signal);
    // Signed by a certificate that is not AFM's (the bookmaker's own, same CA), and AFM's signature over a changed body.
    const forged = await callback({}, signerOf(testCertificates().bookmaker));
    const genuine = await callback();
    const tampered = {
      ...genuine,
      message: { ...genuine.message, rejection: { ...genuine.message.rejection, code: 'OTHER' } },
    };
    for (const [body, code] of [
      [forged, 'CERTIFICATE_UNTRUSTED'],
      [tampered, 'SIGNATURE_INVALID'],
    ] as const) {
      const res = await push(app, body);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toContain(code);
    }
    expect(signal).not.toHaveBeenCalled();
    expect(journal.filter((j) => j.event === 'afm.callback-forged')).toHaveLength(2);
  });

  it('refuses a replay (the same verdict id again, or an old sentAt) with 409, journalled, and signals once', async () => {
    const signal = vi.fn(async () => 'DELIVERED' as const);
    const { app, journal } = await appWith(signal);
    const body = await callback();
    expect((await push(app, body)).statusCode).toBe(200);
    const again = await push(app, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('received before');
    const old = await push(app, await callback({ id: 'MSG-2', sentAt: new Date(Date.now() - 3600_000).toISOString() }));
    expect(old.statusCode).toBe(409);
    expect(old.json().detail).toContain('outside');
    expect(signal).toHaveBeenCalledTimes(1);
    expect(journal.filter((j) => j.event === 'afm.callback-replayed')).toHaveLength(2);
  });

  it('refuses a verdict on a submission we never sent under that messageId (422), and a malformed body names the field (422)', async () => {
    const signal = vi.fn(async () => 'DELIVERED' as const);
    const { app, journal } = await appWith(signal);
    const unknown = await push(app, await callback({ submissionId: 'afm-dep-never-sent' }));
    expect(unknown.statusCode).toBe(422);
    expect(journal.map((j) => j.event)).toContain('afm.callback-unknown');
    const bad = await push(app, {
      message: { id: 'MSG-3' },
      sentAt: 'yesterday',
      signature: { algorithm: 'HMAC-SHA256', keyId: 'k', value: 'v' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['sentAt', 'message.type']),
    );
    expect(signal).not.toHaveBeenCalled();
  });

  it('takes a verdict for a submission that has already ended, and says so; lets AFM try again when Temporal did not answer', async () => {
    const signal = vi
      .fn<EsuBridgeClient['signalAfmVerdict']>()
      .mockRejectedValueOnce(new Error('Temporal unavailable'))
      .mockResolvedValueOnce('CLOSED');
    const { app } = await appWith(signal);
    const body = await callback({ id: 'MSG-9' });
    const down = await push(app, body);
    expect(down.statusCode).toBeGreaterThanOrEqual(500);
    const retried = await push(app, body);
    expect(retried.statusCode).toBe(200);
    expect(retried.json().outcome).toBe('SUBMISSION_CLOSED');
  });
});
