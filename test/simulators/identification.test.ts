import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsentSigner } from '../../activities/consent-signer.js';
import { bookmakerTrust, loadTestCertificates, signerOf, testCertificates } from '../support/certificates.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { startCounterpartServer, type CounterpartServer } from '../../simulators/http.js';
import { createIdentificationSimulator } from '../../simulators/identification.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { adultIin, iinBornIn, uniqueId } from '../support/ids.js';
import { bearer, requestJson } from '../support/unit-http.js';
import { consentRegistration } from '../support/unit-identification.js';

/** The identification simulator on its own server with a clock the test moves (for the 15-minute block and code expiry). */
let clock = Date.parse('2026-11-20T10:00:00Z');
let server: CounterpartServer;
const KEY = 'sim-test-key';

beforeAll(async () => {
  await loadTestCertificates();
  const sim = createIdentificationSimulator({ now: () => new Date(clock), codeTtlMs: 60_000, trust: bookmakerTrust() });
  server = await startCounterpartServer(
    { name: 'nomapay', apiKey: KEY, ...sim, onReset: sim.reset },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await server?.close();
});

const call = (method: string, path: string, body?: unknown, key = uniqueId('k'), apiKey = KEY) =>
  requestJson(server.url, method, path, body, { ...bearer(apiKey), 'idempotency-key': key });

async function consent(iin: string) {
  const consent = consentRegistration(iin);
  await call('POST', '/v1/identification/consents', consent);
  return consent.consentId;
}

async function session(iin: string, consentId?: string) {
  const sessionId = uniqueId('s');
  const res = await call('POST', '/v1/identification/sessions', {
    sessionId,
    iin,
    phone: '+77011234567',
    consentId: consentId ?? (await consent(iin)),
  });
  return { sessionId, res };
}

/** The steps of an open session: a liveness check, an SMS sent, the code the simulator sent, a code check. */
const liveness = (sessionId: string) =>
  call('POST', `/v1/identification/sessions/${sessionId}/liveness-checks`, { livenessToken: 't' });
const sendSms = (sessionId: string) => call('POST', `/v1/identification/sessions/${sessionId}/sms`);
const smsSent = async (sessionId: string) =>
  (await call('GET', `/__admin/identification/sessions/${sessionId}/sms`)).body!.code as string;
const checkCode = (sessionId: string, code: string) =>
  call('POST', `/v1/identification/sessions/${sessionId}/code-checks`, { code });
/** The personal data released for an authorisation code under `consentId`. */
const personalData = (authorizationCode: string, consentId: string) =>
  call('POST', '/v1/identification/personal-data', { authorizationCode, consentId });

describe('identification simulator: the ЦОИД rules on its side', () => {
  beforeEach(() => {
    clock += 3_600_000;
  });

  it('checks the API key like every simulator', async () => {
    expect((await call('POST', '/v1/identification/consents', {}, 'k', 'wrong')).status).toBe(401);
  });

  it('ends the session after 4 failed liveness checks and blocks the person for 15 minutes', async () => {
    const iin = adultIin();
    await call('POST', '/__admin/identification/people', { iin, liveness: [false, false, false, false] });
    const { sessionId } = await session(iin);
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await liveness(sessionId)).body!);
    expect(verdicts.map((v) => v.attemptsLeft)).toEqual([3, 2, 1, 0]);
    expect(verdicts[3]).toMatchObject({
      passed: false,
      sessionStatus: 'ENDED',
      blockedUntil: new Date(clock + 15 * 60_000).toISOString(),
    });
    expect((await liveness(sessionId)).body!.error.code).toBe('SESSION_ENDED');

    const blocked = await session(iin);
    expect(blocked.res.status).toBe(422);
    expect(blocked.res.body!.error).toMatchObject({ code: 'LIVENESS_BLOCKED', details: [{ field: 'blockedUntil' }] });
    clock += 15 * 60_000;
    expect((await session(iin)).res.status).toBe(201);
  });

  it('sends at most 2 SMS in a session, readable through the admin endpoint; wrong and expired codes are answers', async () => {
    const iin = adultIin();
    const { sessionId } = await session(iin);
    expect((await sendSms(sessionId)).body!.error.code).toBe('LIVENESS_NOT_PASSED');
    await liveness(sessionId);
    expect((await sendSms(sessionId)).body!.smsLeft).toBe(1);
    const first = await smsSent(sessionId);
    clock += 61_000;
    expect((await checkCode(sessionId, first)).body).toEqual({
      result: 'EXPIRED_CODE',
    });
    expect((await sendSms(sessionId)).body!.smsLeft).toBe(0);
    expect((await sendSms(sessionId)).body!.error.code).toBe('SMS_LIMIT_REACHED');
    const second = await smsSent(sessionId);
    const wrong = second === '000000' ? '000001' : '000000';
    expect((await checkCode(sessionId, wrong)).body).toEqual({
      result: 'WRONG_CODE',
    });
    const accepted = (await checkCode(sessionId, second)).body!;
    expect(accepted.result).toBe('ACCEPTED');

    const consentId = uniqueId('unused');
    const refused = await personalData(accepted.authorizationCode, consentId);
    expect(refused.body!.error.code).toBe('CONSENT_NOT_FOUND');
  });

  it('releases personal data (no biometrics) once per authorisation code, and never after the consent is revoked', async () => {
    const iin = adultIin();
    const consentId = await consent(iin);
    const exchange = async () => {
      const { sessionId } = await session(iin, consentId);
      await liveness(sessionId);
      await sendSms(sessionId);
      const code = await smsSent(sessionId);
      return (await checkCode(sessionId, code)).body!.authorizationCode as string;
    };
    const authorizationCode = await exchange();
    const data = await personalData(authorizationCode, consentId);
    expect(data.body).toMatchObject({ iin, lastName: 'TESTOV' });
    expect(Object.keys(data.body!)).not.toContain('photo');
    expect((await personalData(authorizationCode, consentId)).body!.error.code).toBe('AUTHORIZATION_CODE_INVALID');

    const next = await exchange();
    await call('POST', `/__admin/identification/consents/${consentId}/revoke`);
    expect((await personalData(next, consentId)).body!.error.code).toBe('CONSENT_REVOKED');
    expect((await session(iin, consentId)).res.body!.error.code).toBe('CONSENT_REVOKED');
  });

  it('passes a photo match at 85 % and releases data only with a signed confirmation', async () => {
    const signer = createConsentSigner(signerOf(testCertificates().bookmaker));
    const decision = { positive: true, decidedBy: 'kyc', decidedAt: '2026-11-20T10:00:00Z' };
    for (const [score, expected] of [
      [85, 200],
      [84.9, 422],
    ] as const) {
      const iin = adultIin();
      await call('POST', '/__admin/identification/people', { iin, photoScore: score });
      const consentId = await consent(iin);
      const matchId = uniqueId('m');
      const match = await call('POST', '/v1/identification/photo-matches', {
        matchId,
        iin,
        consentId,
        photo: { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY },
      });
      expect(match.body!.scorePercent).toBe(score);
      const confirmation = await signer.sign({ consentId, matchId, confirmedAt: '2026-11-20T10:00:00Z' });
      const data = await call('POST', `/v1/identification/photo-matches/${matchId}/personal-data`, {
        decision,
        consentConfirmation: confirmation,
      });
      expect(data.status).toBe(expected);
      if (expected === 200) {
        const forged = { ...confirmation, signature: { ...confirmation.signature, value: 'AAAA' } };
        const refused = await call('POST', `/v1/identification/photo-matches/${matchId}/personal-data`, {
          decision,
          consentConfirmation: forged,
        });
        expect(refused.body!.error.code).toBe('SIGNATURE_INVALID');
      } else {
        expect(data.body!.error.code).toBe('SCORE_BELOW_THRESHOLD');
      }
    }
  });

  it('refuses a photo that fails annex 1, naming the requirement', async () => {
    const iin = adultIin();
    const consentId = await consent(iin);
    const photo = { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: { ...GOOD_PHOTO_QUALITY, eyeDistancePx: 50 } };
    const res = await call('POST', '/v1/identification/photo-matches', {
      matchId: uniqueId('m'),
      iin,
      consentId,
      photo,
    });
    expect(res.body!.error.code).toBe('PHOTO_REQUIREMENTS_NOT_MET');
    expect(res.body!.error.message).toContain('70 px');
  });
});

describe('identification on the simulator stack', () => {
  let sims: RunningSimulators;
  beforeAll(async () => {
    sims = await startSimulators({ esu: { apiKey: 'e' }, nomapay: { apiKey: 'n' }, trust: bookmakerTrust() });
  });
  afterAll(async () => {
    await sims?.close();
  });

  it('serves identification and wallets on Nomapay, the bettor register on ESU, each registration once', async () => {
    const post = (base: string, key: string, path: string, body: unknown, idem: string) =>
      requestJson(base, 'POST', path, body, { ...bearer(key), 'idempotency-key': idem });
    const iin = adultIin();
    const bettor = {
      registrationId: uniqueId('b'),
      iin,
      identifiedAt: '2026-11-20T10:00:00Z',
      method: 'PHOTO_MATCH',
      agent: 'NOMAPAY',
    };
    expect((await post(sims.esu.url, 'e', '/v1/bettors', bettor, 'r1')).status).toBe(201);
    expect(
      (await post(sims.esu.url, 'e', '/v1/bettors', { ...bettor, identifiedAt: '2026-11-21T10:00:00Z' }, 'r2')).status,
    ).toBe(200);
    const minor = { ...bettor, registrationId: uniqueId('b'), iin: iinBornIn(2010) };
    expect((await post(sims.esu.url, 'e', '/v1/bettors', minor, 'r3')).body.error.code).toBe('BETTOR_RESTRICTED');
    const wallet = {
      walletId: bettor.registrationId,
      iin,
      identification: { method: 'PHOTO_MATCH', identifiedAt: '2026-11-20T10:00:00Z' },
    };
    expect((await post(sims.nomapay.url, 'n', '/v1/wallets', wallet, 'w1')).status).toBe(201);
    expect((await post(sims.nomapay.url, 'n', '/v1/wallets', wallet, 'w2')).status).toBe(200);
    const stats = (await (await fetch(new URL('/__admin/stats', sims.esu.url))).json()) as {
      applied: Record<string, number>;
    };
    expect(stats.applied[`bettor:${bettor.registrationId}`]).toBe(1);
    const consentRes = await post(
      sims.nomapay.url,
      'n',
      '/v1/identification/consents',
      consentRegistration(iin, { consentId: 'c-1' }),
      'c1',
    );
    expect(consentRes.status).toBe(201);
  });
});
