import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument, type DocumentSigner, type SignerTrust } from '../../crypto/signer.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { loadTestCertificates, signerOf, type TestCertificates } from '../support/certificates.js';
import { completeCard } from '../support/incident-card.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { afmSubmissionNow } from '../support/unit-afm.js';
import { bearer, requestJson } from '../support/unit-http.js';
import { consentRegistration } from '../support/unit-identification.js';

/**
 * Every simulated receiver of a signed document (AFM's submissions, the incident intakes of ЦМААИ and Nomapay,
 * ЦОИД's consent check) checks the bookmaker's X.509 signature the same way and refuses with the same codes.
 */
let c: TestCertificates;
const running: RunningSimulators[] = [];
const KEYS = { esu: 'k-esu', nomapay: 'k-np', afm: 'k-afm' };

async function simulatorsTrusting(trust: SignerTrust): Promise<RunningSimulators> {
  const sims = await startSimulators({
    esu: { apiKey: KEYS.esu },
    nomapay: { apiKey: KEYS.nomapay },
    afm: { apiKey: KEYS.afm },
    trust,
  });
  running.push(sims);
  return sims;
}

beforeAll(async () => {
  c = await loadTestCertificates();
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
});

const post = (url: string, path: string, apiKey: string, body: unknown, key: string) =>
  requestJson(url, 'POST', path, body, { ...bearer(apiKey), 'idempotency-key': key }) as Promise<{
    status: number;
    body: { error?: { code: string; message: string } };
  }>;

type Tamper = (doc: Record<string, any>) => Record<string, any>;
const asIs: Tamper = (d) => d;

/** Sends one freshly signed document of each kind; answers the three statuses/codes. */
const receivers = {
  async afm(sims: RunningSimulators, signer: DocumentSigner, tamper: Tamper = asIs) {
    const doc = await signDocument(afmSubmissionNow(), signer);
    return post(sims.afm.url, '/v1/submissions', KEYS.afm, tamper(doc), doc.submissionId);
  },
  async incident(sims: RunningSimulators, signer: DocumentSigner, tamper: Tamper = asIs) {
    const messageId = `${uniqueId('inc')}.v1.esu`;
    const doc = await signDocument(
      {
        messageId,
        incidentId: uniqueId('inc'),
        version: 1,
        phase: 'INITIAL',
        sender: 'bookmaker-1',
        sentAt: new Date().toISOString(),
        card: completeCard('2026-03-10T02:15:00+05:00'),
      },
      signer,
    );
    return post(sims.esu.url, '/v1/incident-cards', KEYS.esu, tamper(doc), messageId);
  },
  async consent(sims: RunningSimulators, signer: DocumentSigner, tamper: Tamper = asIs) {
    const iin = adultIin();
    const np = sims.nomapay.url;
    await fetch(new URL('/__admin/identification/people', np), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iin, photoScore: 95 }),
    });
    const consent = consentRegistration(iin, { givenAt: new Date().toISOString() });
    const { consentId } = consent;
    await post(np, '/v1/identification/consents', KEYS.nomapay, consent, uniqueId('k'));
    const matchId = uniqueId('m');
    await post(
      np,
      '/v1/identification/photo-matches',
      KEYS.nomapay,
      { matchId, iin, consentId, photo: { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY } },
      uniqueId('k'),
    );
    const confirmation = await signDocument({ consentId, matchId, confirmedAt: new Date().toISOString() }, signer);
    const decision = { positive: true, decidedBy: 'kyc', decidedAt: new Date().toISOString() };
    return post(
      np,
      `/v1/identification/photo-matches/${matchId}/personal-data`,
      KEYS.nomapay,
      { decision, consentConfirmation: tamper(confirmation) },
      uniqueId('k'),
    );
  },
};

/** Expects the receiver's refusal of a signature: 422 with `code`, and `message` in its text when given. */
function expectRefused(answer: Awaited<ReturnType<typeof post>>, code: string, message?: string) {
  expect(answer.status).toBe(422);
  expect(answer.body.error).toMatchObject({ code, ...(message && { message: expect.stringContaining(message) }) });
}

describe.each(Object.keys(receivers) as (keyof typeof receivers)[])(
  '%s receiver: the bookmaker’s X.509 signature',
  (kind) => {
    const send = receivers[kind];

    it('accepts a document signed by the registered certificate, and refuses a tampered body (SIGNATURE_INVALID)', async () => {
      const sims = await simulatorsTrusting({ registered: c.bookmaker.certificate, ca: c.ca.certificate });
      const accepted = await send(sims, signerOf(c.bookmaker));
      expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
      const tampered = await send(sims, signerOf(c.bookmaker), (d) => ({
        ...d,
        sentAt: d.sentAt ? '2026-01-01T00:00:00.000Z' : undefined,
        confirmedAt: d.confirmedAt ? '2026-01-01T00:00:00.000Z' : undefined,
      }));
      expectRefused(tampered, 'SIGNATURE_INVALID');
    });

    it('refuses a certificate that is not the registered one, and a registered one from another CA (CERTIFICATE_UNTRUSTED)', async () => {
      const sims = await simulatorsTrusting({ registered: c.bookmaker.certificate, ca: c.ca.certificate });
      expectRefused(await send(sims, signerOf(c.foreign)), 'CERTIFICATE_UNTRUSTED', 'not the certificate registered');
      const otherCa = await simulatorsTrusting({ registered: c.foreign.certificate, ca: c.ca.certificate });
      expectRefused(await send(otherCa, signerOf(c.foreign)), 'CERTIFICATE_UNTRUSTED', 'certification centre');
    });

    it('refuses an expired registered certificate (CERTIFICATE_EXPIRED)', async () => {
      const sims = await simulatorsTrusting({ registered: c.expired.certificate, ca: c.ca.certificate });
      expectRefused(await send(sims, signerOf(c.expired)), 'CERTIFICATE_EXPIRED');
    });
  },
);
