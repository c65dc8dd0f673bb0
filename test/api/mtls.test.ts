import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { startApi, type RunningApi } from '../../api/server.js';
import type { EsuBridgeClient } from '../../client/index.js';
import type { Pool } from '../../db/pool.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';

let api: RunningApi;
/** The CA, the server certificate for 127.0.0.1 and the client certificate of test/support/tls.ts. */
let certs: TestCertificates;

beforeAll(async () => {
  certs = createTestCertificates();
  const config = apiConfig({
    API_KEYS: apiKeyEntry('tls-caller', 'tls-test-key-0123456789', ['deposits:read']),
    API_TLS_CERT_PATH: certs.server.cert,
    API_TLS_KEY_PATH: certs.server.key,
    API_TLS_CLIENT_CA_PATH: certs.ca,
  });
  const client = {
    bettorRef: (s: string) => s,
    getDeposit: async () => ({ depositId: 'dep-1', status: 'COMPLETED', amountTiyn: 100, compensations: [] }),
  } as unknown as EsuBridgeClient;
  const pool = { query: vi.fn(async () => ({ rows: [], rowCount: 1 })) } as unknown as Pool;
  api = await startApi({ client, pool, config }, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  certs?.remove();
});

describe('mutual TLS', () => {
  it('serves HTTPS to a caller with a certificate from the configured CA, and its key still decides', async () => {
    expect(api.url).toMatch(/^https:/);
    const dispatcher = new Agent({
      connect: { ca: certs.read(certs.ca), cert: certs.read(certs.client.cert), key: certs.read(certs.client.key) },
    });
    const res = await request(`${api.url}/v1/deposits/dep-1`, {
      dispatcher,
      headers: { authorization: 'Bearer tls-test-key-0123456789' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ depositId: 'dep-1', status: 'COMPLETED' });
    const noKey = await request(`${api.url}/v1/deposits/dep-1`, { dispatcher });
    expect(noKey.statusCode).toBe(401);
    await noKey.body.dump();
  });

  it('refuses a caller without a client certificate at the handshake', async () => {
    const dispatcher = new Agent({ connect: { ca: certs.read(certs.ca) } });
    await expect(
      request(`${api.url}/v1/deposits/dep-1`, {
        dispatcher,
        headers: { authorization: 'Bearer tls-test-key-0123456789' },
      }),
    ).rejects.toThrow();
  });
});
