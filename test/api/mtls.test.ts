import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiConfig, apiKeyEntry } from '../../config/api.js';
import { startApi, type RunningApi } from '../../api/server.js';
import type { EsuBridgeClient } from '../../client/index.js';
import type { Pool } from '../../db/pool.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl for this file only. */
function certificates(dir: string) {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  const read = (f: string) => readFileSync(path.join(dir, f));
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
  };
}

let api: RunningApi;
let certs: ReturnType<typeof certificates>;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-bridge-mtls-'));
  certs = certificates(dir);
  const config = apiConfig({
    API_KEYS: apiKeyEntry('tls-caller', 'tls-test-key-0123456789', ['deposits:read']),
    API_TLS_CERT_PATH: path.join(dir, 'server.crt'),
    API_TLS_KEY_PATH: path.join(dir, 'server.key'),
    API_TLS_CLIENT_CA_PATH: path.join(dir, 'ca.crt'),
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
});

describe('mutual TLS', () => {
  it('serves HTTPS to a caller with a certificate from the configured CA, and its key still decides', async () => {
    expect(api.url).toMatch(/^https:/);
    const dispatcher = new Agent({ connect: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
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
    const dispatcher = new Agent({ connect: { ca: certs.ca } });
    await expect(
      request(`${api.url}/v1/deposits/dep-1`, {
        dispatcher,
        headers: { authorization: 'Bearer tls-test-key-0123456789' },
      }),
    ).rejects.toThrow();
  });
});
