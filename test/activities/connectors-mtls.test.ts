import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { CounterpartClient } from '../../activities/http.js';
import { createNomapayActivities } from '../../activities/nomapay.js';
import { counterpartsConfig } from '../../config/counterparts.js';
import { WalletTransfer } from '../../domain/wire/nomapay.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';

/**
 * The connectors over HTTPS with mutual TLS (the ESU integration plan, item 10): a deposit's Nomapay transfer through
 * activities/http.ts with the certificates config/ loads from the NOMAPAY_TLS_* variables, against the simulator
 * requiring a client certificate from the test CA; and the faults a broken channel shows the saga.
 */
let certs: TestCertificates;
let sims: RunningSimulators;
let tls11: RunningSimulators;
const clients: CounterpartClient[] = [];

beforeAll(async () => {
  certs = createTestCertificates();
  const serverTls = {
    cert: certs.read(certs.server.cert),
    key: certs.read(certs.server.key),
    clientCa: certs.read(certs.ca),
  };
  sims = await startSimulators({ nomapay: { port: 0, apiKey: 'mtls-np' }, tls: serverTls });
  tls11 = await startSimulators({
    nomapay: { port: 0, apiKey: 'mtls-np' },
    tls: { ...serverTls, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.allSettled([sims?.close(), tls11?.close()]);
  certs?.remove();
});

function nomapayClient(
  overrides: Record<string, string | undefined> = {},
  on: RunningSimulators = sims,
): CounterpartClient {
  const env = Object.fromEntries(
    Object.entries({
      NOMAPAY_BASE_URL: on.nomapay.url,
      NOMAPAY_API_KEY: 'mtls-np',
      NOMAPAY_TIMEOUT_MS: '3000',
      NOMAPAY_TLS_CLIENT_CERT_PATH: certs.client.cert,
      NOMAPAY_TLS_CLIENT_KEY_PATH: certs.client.key,
      NOMAPAY_TLS_SERVER_CA_CERT_PATH: certs.ca,
      ...overrides,
    }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const client = new CounterpartClient(counterpartsConfig(env).nomapay);
  clients.push(client);
  return client;
}

const depositTransfer = () => ({
  transferId: `dep-${uniqueId('mtls')}`,
  iin: adultIin(),
  direction: 'BETTOR_TO_BOOKMAKER' as const,
  amountTiyn: 250_000,
  currency: 'KZT' as const,
});

describe('connectors over mutual TLS', () => {
  it("moves a deposit's money at Nomapay over HTTPS with our client certificate", async () => {
    expect(sims.nomapay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = nomapayClient();
    const request = depositTransfer();
    const done = await createNomapayActivities({ nomapay: client }).transferWallet(request);
    expect(done).toMatchObject({
      transferId: request.transferId,
      status: 'COMPLETED',
      amountTiyn: 250_000,
      direction: 'BETTOR_TO_BOOKMAKER',
    });
    expect(await client.get(`/v1/transfers/${request.transferId}`, WalletTransfer)).toMatchObject({
      transferId: request.transferId,
      status: 'COMPLETED',
    });
  });

  it.each([
    [
      'without a client certificate',
      { NOMAPAY_TLS_CLIENT_CERT_PATH: undefined, NOMAPAY_TLS_CLIENT_KEY_PATH: undefined },
    ],
    [
      'with an expired client certificate',
      { NOMAPAY_TLS_CLIENT_CERT_PATH: '<expired>', NOMAPAY_TLS_CLIENT_KEY_PATH: '<expired-key>' },
    ],
    [
      'with a client certificate from another CA',
      { NOMAPAY_TLS_CLIENT_CERT_PATH: '<other>', NOMAPAY_TLS_CLIENT_KEY_PATH: '<other-key>' },
    ],
    ["trusting another CA than the server's", { NOMAPAY_TLS_SERVER_CA_CERT_PATH: '<other-ca>' }],
  ])('moves nothing %s: a connection error the retry policy retries, naming the counterpart', async (_, raw) => {
    const paths: Record<string, string> = {
      '<expired>': certs.expiredClient.cert,
      '<expired-key>': certs.expiredClient.key,
      '<other>': certs.otherCaClient.cert,
      '<other-key>': certs.otherCaClient.key,
      '<other-ca>': certs.otherCa,
    };
    const overrides = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, v === undefined ? undefined : (paths[v] ?? v)]),
    );
    const request = depositTransfer();
    const failure = await createNomapayActivities({ nomapay: nomapayClient(overrides) })
      .transferWallet(request)
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApplicationFailure); // not a refusal: the saga's policy retries it
    expect((failure as Error).message).toMatch(/^nomapay POST \/v1\/transfers: .+/);
    // Nothing reached Nomapay: the transfer does not exist there.
    expect(await nomapayClient().get(`/v1/transfers/${request.transferId}`, WalletTransfer)).toBeUndefined();
  });

  it('refuses a server that offers only TLS 1.1: we speak TLS 1.2 or later', async () => {
    const failure = await nomapayClient({}, tls11)
      .get('/v1/transfers/none', WalletTransfer)
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).cause ?? failure)).toMatch(/protocol|version/i);
  });
});

describe('mutual TLS configuration', () => {
  it('names the variable of a certificate file that is missing, unreadable or not PEM, at start', () => {
    const env = (extra: Record<string, string>) => ({
      NOMAPAY_TLS_CLIENT_CERT_PATH: certs.client.cert,
      NOMAPAY_TLS_CLIENT_KEY_PATH: certs.client.key,
      ...extra,
    });
    expect(() => counterpartsConfig(env({ NOMAPAY_TLS_CLIENT_CERT_PATH: `${certs.dir}/missing.pem` }))).toThrow(
      new ReferenceError(
        `NOMAPAY_TLS_CLIENT_CERT_PATH environment variable is invalid: cannot read ${certs.dir}/missing.pem (ENOENT)`,
      ),
    );
    expect(() => counterpartsConfig(env({ NOMAPAY_TLS_CLIENT_KEY_PATH: certs.dir }))).toThrow(
      /^NOMAPAY_TLS_CLIENT_KEY_PATH environment variable is invalid: cannot read .* \(EISDIR\)$/,
    );
    expect(() => counterpartsConfig(env({ NOMAPAY_TLS_CLIENT_KEY_PATH: certs.client.cert }))).toThrow(
      /^NOMAPAY_TLS_CLIENT_KEY_PATH environment variable is invalid: .* holds no PEM private key$/,
    );
    expect(() => counterpartsConfig({ ESU_TLS_SERVER_CA_CERT_PATH: certs.client.key })).toThrow(
      /^ESU_TLS_SERVER_CA_CERT_PATH environment variable is invalid: .* holds no PEM certificate$/,
    );
    expect(() => counterpartsConfig({ AFM_TLS_CLIENT_CERT_PATH: certs.client.cert })).toThrow(
      /^AFM_TLS_CLIENT_KEY_PATH environment variable is not defined/,
    );
    const loaded = counterpartsConfig(env({})).nomapay.tls;
    expect(loaded?.cert?.toString()).toBe(certs.read(certs.client.cert));
    expect(loaded?.key?.toString()).toBe(certs.read(certs.client.key));
  });
});
