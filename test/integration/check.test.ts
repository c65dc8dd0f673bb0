import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../client/check-command.js';
import { configuredSigners, runChecks, type CheckReport, type CheckResult } from '../../client/check.js';
import { signAfmSubmission } from '../../activities/afm.js';
import { createConsentSigner } from '../../activities/consent-signer.js';
import { counterpartsConfig } from '../../config/counterparts.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { adultIin } from '../support/ids.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';
import {
  bookmakerTrust,
  loadTestCertificates,
  signerOf,
  signingEnv,
  testCertificates,
} from '../support/certificates.js';

/**
 * `esu-bridge check` (client/check.ts) against real simulators over HTTPS with mutual TLS, certificates generated
 * by the test: everything passes when configured right, and each broken channel fails on its own row with its
 * reason. No Temporal here: the cluster pass leaves this file out (scripts/test.sh).
 */
let certs: TestCertificates;
let sims: RunningSimulators;
/** ESU only offers TLS 1.1 here; Nomapay and AFM as usual. */
let oldTls: RunningSimulators;

const KEYS = { ESU_API_KEY: 'check-esu-key', NOMAPAY_API_KEY: 'check-nomapay-key', AFM_API_KEY: 'check-afm-key' };

beforeAll(async () => {
  certs = createTestCertificates();
  await loadTestCertificates();
  const serverTls = {
    cert: certs.read(certs.server.cert),
    key: certs.read(certs.server.key),
    clientCa: certs.read(certs.ca),
  };
  const options = {
    esu: { port: 0, apiKey: KEYS.ESU_API_KEY },
    nomapay: { port: 0, apiKey: KEYS.NOMAPAY_API_KEY },
    afm: { port: 0, apiKey: KEYS.AFM_API_KEY },
    tls: serverTls,
    trust: bookmakerTrust(),
  };
  sims = await startSimulators(options);
  oldTls = await startSimulators({
    ...options,
    tlsFor: { esu: { ...serverTls, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } },
  });
});

afterAll(async () => {
  await Promise.allSettled([sims?.close(), oldTls?.close()]);
  certs?.remove();
});

/** The environment a bookmaker sets for the three counterparts over mutual TLS, with `overrides` on top. */
function env(
  overrides: Record<string, string | undefined> = {},
  on: RunningSimulators = sims,
): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = {
    ...KEYS,
    ...signingEnv(),
    ESU_BASE_URL: on.esu.url,
    NOMAPAY_BASE_URL: on.nomapay.url,
    AFM_BASE_URL: on.afm.url,
  };
  for (const prefix of ['ESU', 'NOMAPAY', 'AFM']) {
    base[`${prefix}_TLS_CLIENT_CERT_PATH`] = certs.client.cert;
    base[`${prefix}_TLS_CLIENT_KEY_PATH`] = certs.client.key;
    base[`${prefix}_TLS_SERVER_CA_CERT_PATH`] = certs.ca;
  }
  const merged = { ...base, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

async function check(
  environment: Record<string, string | undefined>,
  counterparts: ('esu' | 'nomapay' | 'afm')[] = ['esu', 'nomapay', 'afm'],
): Promise<CheckReport> {
  return runChecks(counterpartsConfig(environment), {
    counterparts,
    testBettors: { esu: adultIin(), nomapay: adultIin() },
    signers: configuredSigners(signingEnv()),
    timeoutMs: 3000,
  });
}

function row(report: CheckReport, counterpart: string, check: string): CheckResult {
  const found = report.results.find((r) => r.counterpart === counterpart && r.check === check);
  if (!found)
    throw new Error(
      `no ${counterpart} "${check}" row in ${JSON.stringify(report.results.map((r) => `${r.counterpart}/${r.check}`))}`,
    );
  return found;
}

describe('esu-bridge check over mutual TLS', () => {
  it('passes every check against correctly configured simulators, with a bet, a win and a payout recorded at ESU', async () => {
    const report = await check(env());
    const notPassed = report.results.filter((r) => r.status !== 'pass' && !r.notApplicable);
    expect(notPassed).toEqual([]);
    expect(report.passed).toBe(true);
    for (const counterpart of ['esu', 'nomapay', 'afm']) {
      expect(row(report, counterpart, 'TLS version').reason).toMatch(/^TLSv1\.[23] negotiated$/);
      expect(row(report, counterpart, 'server chain')).toMatchObject({
        status: 'pass',
        reason: expect.stringContaining('the configured CA'),
      });
      expect(row(report, counterpart, 'client certificate')).toMatchObject({
        status: 'pass',
        reason: expect.stringMatching(/CN=client: \d+ days left/),
      });
      expect(row(report, counterpart, 'mutual TLS').status).toBe('pass');
      expect(row(report, counterpart, 'API key').status).toBe('pass');
    }
    expect(row(report, 'afm', 'our signature')).toMatchObject({
      status: 'pass',
      reason: expect.stringContaining('/v1/signature-checks'),
    });
    expect(row(report, 'nomapay', 'our signature').status).toBe('pass');
    expect(row(report, 'esu', 'our signature')).toMatchObject({ status: 'skipped', notApplicable: true });
    expect(row(report, 'esu', 'bet with odds').reason).toMatch(/^bet 100\.00 KZT at 2\.35: receipt ESU-\d+ recorded/);
    expect(row(report, 'esu', 'win').status).toBe('pass');
    expect(row(report, 'esu', 'payout').status).toBe('pass');
    expect(row(report, 'nomapay', 'test deposit').status).toBe('pass');
    expect(row(report, 'nomapay', 'test payout').status).toBe('pass');

    // What ESU holds afterwards: the three test operations, each once (read over mutual TLS too).
    const agent = new Agent({
      connect: { cert: certs.read(certs.client.cert), key: certs.read(certs.client.key), ca: certs.read(certs.ca) },
    });
    try {
      const res = await request(`${sims.esu.url}/__admin/operations`, { dispatcher: agent });
      const held = (await res.body.json()) as {
        request: { operationId: string; kind: string; bet?: { odds: string } };
      }[];
      const ours = held.filter((o) => o.request.operationId.startsWith('check-'));
      expect(ours.map((o) => o.request.kind)).toEqual(['BET', 'SETTLEMENT', 'PAYOUT']);
      expect(ours[0]!.request.bet?.odds).toBe('2.35');
    } finally {
      await agent.close();
    }
  });

  it('fails the server chain on a wrong CA, and skips what needs the channel', async () => {
    const report = await check(env({ ESU_TLS_SERVER_CA_CERT_PATH: certs.otherCa }), ['esu']);
    expect(report.passed).toBe(false);
    expect(row(report, 'esu', 'server chain')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/does not verify against the configured CA \(ESU_TLS_SERVER_CA_CERT_PATH\): .+/),
    });
    expect(row(report, 'esu', 'API key')).toMatchObject({ status: 'skipped', reason: 'the channel failed' });
  });

  it('fails on an expired client certificate: its own row and the server refusing it', async () => {
    const report = await check(
      env({
        NOMAPAY_TLS_CLIENT_CERT_PATH: certs.expiredClient.cert,
        NOMAPAY_TLS_CLIENT_KEY_PATH: certs.expiredClient.key,
      }),
      ['nomapay'],
    );
    expect(report.passed).toBe(false);
    expect(row(report, 'nomapay', 'client certificate')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^CN=expired-client expired on \d{4}-/),
    });
    expect(row(report, 'nomapay', 'mutual TLS')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(
        /^the server refused our client certificate \(NOMAPAY_TLS_CLIENT_CERT_PATH\): the server closed the connection after the handshake/,
      ),
    });
    expect(row(report, 'nomapay', 'test exchange').status).toBe('skipped');
  });

  it('fails a client certificate with fewer days left than the threshold, but keeps checking the channel', async () => {
    const report = await check(
      env({ AFM_TLS_CLIENT_CERT_PATH: certs.expiringClient.cert, AFM_TLS_CLIENT_KEY_PATH: certs.expiringClient.key }),
      ['afm'],
    );
    expect(row(report, 'afm', 'client certificate')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/expires in 2 days .*fewer than 7: renew it now/),
    });
    expect(row(report, 'afm', 'mutual TLS').status).toBe('pass');
    expect(row(report, 'afm', 'API key').status).toBe('pass');
    expect(report.passed).toBe(false);
  });

  it('fails mutual TLS when no client certificate is configured', async () => {
    const report = await check(env({ AFM_TLS_CLIENT_CERT_PATH: undefined, AFM_TLS_CLIENT_KEY_PATH: undefined }), [
      'afm',
    ]);
    expect(report.passed).toBe(false);
    expect(row(report, 'afm', 'client certificate')).toMatchObject({
      status: 'skipped',
      reason: 'none configured (AFM_TLS_CLIENT_CERT_PATH)',
    });
    expect(row(report, 'afm', 'mutual TLS')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(
        /^the server requires a client certificate and none is configured \(AFM_TLS_CLIENT_CERT_PATH, AFM_TLS_CLIENT_KEY_PATH\): .+/,
      ),
    });
  });

  it('fails the TLS version against a server that only offers TLS 1.1', async () => {
    const report = await check(env({}, oldTls), ['esu']);
    expect(report.passed).toBe(false);
    expect(row(report, 'esu', 'TCP').status).toBe('pass');
    expect(row(report, 'esu', 'TLS version')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^the server offers no TLS 1\.2 or later \(we refuse anything older\): .+/),
    });
    expect(row(report, 'esu', 'API key').status).toBe('skipped');
  });

  it('fails the API key and the signature each with its reason', async () => {
    const badKey = await check(env({ NOMAPAY_API_KEY: 'not-the-key' }), ['nomapay']);
    expect(row(badKey, 'nomapay', 'API key')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^refused \(NOMAPAY_API_KEY\): .*401 UNAUTHENTICATED/),
    });

    const signers = configuredSigners(signingEnv());
    // Signed with a certificate of the bookmaker's name from another CA: not the one registered with the counterpart.
    const forged = await runChecks(counterpartsConfig(env()), {
      counterparts: ['afm'],
      signers: {
        ...signers,
        afm: { sender: signers.afm.sender, sign: (m) => signAfmSubmission(m, signerOf(testCertificates().foreign)) },
      },
    });
    expect(row(forged, 'afm', 'our signature')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/does not verify: CERTIFICATE_UNTRUSTED/),
    });
    expect(forged.passed).toBe(false);

    const unknownKey = await runChecks(counterpartsConfig(env()), {
      counterparts: ['nomapay'],
      testBettors: { nomapay: adultIin() },
      signers: { ...signers, consent: createConsentSigner(signerOf(testCertificates().foreign)) },
    });
    expect(row(unknownKey, 'nomapay', 'our signature')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(
        /^POST \/v1\/identification\/signature-checks: a signed sample consent confirmation does not verify: CERTIFICATE_UNTRUSTED/,
      ),
    });
    expect(row(unknownKey, 'nomapay', 'test deposit').status).toBe('pass');
  });

  it('fails DNS for a name that does not resolve and TCP for a port that does not answer, still dating our certificate', async () => {
    const report = await check(
      env({
        ESU_BASE_URL: 'https://no-such-counterpart.invalid',
        AFM_BASE_URL: 'https://127.0.0.1:1',
        AFM_TLS_CLIENT_CERT_PATH: certs.expiredClient.cert,
        AFM_TLS_CLIENT_KEY_PATH: certs.expiredClient.key,
      }),
      ['esu', 'afm'],
    );
    expect(row(report, 'esu', 'DNS')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^no-such-counterpart\.invalid does not resolve: .+/),
    });
    expect(row(report, 'esu', 'TCP').status).toBe('skipped');
    expect(row(report, 'esu', 'client certificate').status).toBe('pass');
    expect(row(report, 'afm', 'TCP')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^127\.0\.0\.1:1 is not reachable: .*ECONNREFUSED/),
    });
    expect(row(report, 'afm', 'client certificate')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('expired on'),
    });
    expect(row(report, 'afm', 'API key')).toMatchObject({ status: 'skipped', reason: 'the channel failed' });
    expect(report.passed).toBe(false);
  });

  it("checks Nomapay's identification API on its own channel when NOMAPAY_ID_* name one", async () => {
    const report = await check(
      env({ NOMAPAY_ID_BASE_URL: oldTls.nomapay.url, NOMAPAY_ID_TLS_SERVER_CA_CERT_PATH: certs.otherCa }),
      ['nomapay'],
    );
    expect(row(report, 'nomapay', 'server chain').status).toBe('pass');
    expect(row(report, 'nomapay', 'identification API: server chain')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('(NOMAPAY_ID_TLS_SERVER_CA_CERT_PATH)'),
    });
    expect(row(report, 'nomapay', 'API key')).toMatchObject({ status: 'skipped', reason: 'the channel failed' });
    const fixed = await check(env({ NOMAPAY_ID_BASE_URL: oldTls.nomapay.url }), ['nomapay']);
    expect(row(fixed, 'nomapay', 'identification API: mutual TLS').status).toBe('pass');
    expect(row(fixed, 'nomapay', 'our signature').status).toBe('pass');
    expect(fixed.passed).toBe(true);
  });

  it('the check command: the table, --json and the exit code', async () => {
    const run = async (args: string[], environment: Record<string, string | undefined>) => {
      const out: string[] = [];
      const code = await checkCommand(args, {
        env: environment,
        out: (t) => out.push(t),
        err: (t) => out.push(t),
        options: { timeoutMs: 3000 },
      });
      return { code, stdout: out.join('\n') };
    };
    const ok = await run(['--counterpart', 'afm', '--json'], env());
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as CheckReport;
    expect(report.counterparts).toEqual(['afm']);
    expect(report.passed).toBe(true);
    const broken = await run(['--counterpart', 'afm'], env({ AFM_TLS_SERVER_CA_CERT_PATH: certs.otherCa }));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^AFM +channel +server chain +FAIL +the server's certificate does not verify/m);
    expect(broken.stdout).toMatch(/Not ready: \d+ passed, 1 failed/);
    const missing = await run(['--counterpart', 'esu'], env({ ESU_TLS_CLIENT_CERT_PATH: `${certs.dir}/no-such.pem` }));
    expect(missing).toEqual({
      code: 2,
      stdout: expect.stringMatching(
        /^esu-bridge check: ESU_TLS_CLIENT_CERT_PATH environment variable is invalid: cannot read .*no-such\.pem \(ENOENT\)$/,
      ),
    });
    expect((await run(['--counterpart', 'tsoid'], env())).code).toBe(2);
  });
});
