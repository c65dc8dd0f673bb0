import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createConsentSigner } from '../../activities/consent-signer.js';
import type { DocumentSigner } from '../../crypto/signer.js';
import { bookmakerTrust, loadTestCertificates, signerOf, testCertificates } from '../support/certificates.js';
import { CounterpartClient } from '../../activities/http.js';
import { createIdentificationActivities } from '../../activities/identification.js';
import type { Pool } from '../../db/pool.js';
import { ErrorType } from '../../domain/errors.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simAdmin } from '../support/sim-admin.js';

let sims: RunningSimulators;
let clients: CounterpartClient[];
const PHOTO = { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY };

beforeAll(async () => {
  await loadTestCertificates();
  sims = await startSimulators({ esu: { apiKey: 'e' }, nomapay: { apiKey: 'n' }, trust: bookmakerTrust() });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sims?.close();
});

function connector(signer: DocumentSigner = signerOf(testCertificates().bookmaker)) {
  const endpoint = (counterpart: 'esu' | 'nomapay' | 'tsoid', baseUrl: string, apiKey: string) =>
    new CounterpartClient({ counterpart, baseUrl, apiKey, timeoutMs: 2000 });
  const tsoid = endpoint('tsoid', sims.nomapay.url, 'n');
  const esu = endpoint('esu', sims.esu.url, 'e');
  const nomapay = endpoint('nomapay', sims.nomapay.url, 'n');
  clients = [...(clients ?? []), tsoid, esu, nomapay];
  const stored: unknown[][] = [];
  const pool = {
    query: vi.fn(async (_sql: string, params: unknown[]) => (stored.push(params), { rowCount: 1, rows: [] })),
  } as unknown as Pool;
  const photos = { load: vi.fn(async (ref: string) => (ref === 'known' ? PHOTO : undefined)) };
  const activities = createIdentificationActivities({
    tsoid,
    esu,
    nomapay,
    pool,
    consentSigner: createConsentSigner(signer),
    photos,
  });
  return { activities, stored, photos };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

async function consented(activities: ReturnType<typeof connector>['activities'], iin: string) {
  const consentId = uniqueId('consent');
  await run(activities.registerConsent, {
    consentId,
    iin,
    agreementVersion: 'v1',
    givenAt: '2026-11-20T10:00:00Z',
    scope: ['THIRD_PARTY_TRANSFER'],
  });
  return consentId;
}

describe('identification connector against the simulator', () => {
  it('answers a liveness block as a result carrying its end (§23.2)', async () => {
    const { activities } = connector();
    const iin = adultIin();
    await fetch(new URL('/__admin/identification/people', sims.nomapay.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iin, liveness: [false, false, false, false] }),
    });
    const consentId = await consented(activities, iin);
    const opened = await run(activities.openTwoFactorSession, {
      sessionId: uniqueId('s'),
      iin,
      phone: '+77011234567',
      consentId,
    });
    if (!('session' in opened)) throw new Error('expected a session');
    let verdict;
    for (let i = 0; i < 4; i++)
      verdict = await run(activities.checkLiveness, {
        sessionId: opened.session.sessionId,
        key: uniqueId('k'),
        livenessToken: 't',
      });
    expect(verdict).toMatchObject({ passed: false, attemptsLeft: 0, sessionStatus: 'ENDED' });
    const blocked = await run(activities.openTwoFactorSession, {
      sessionId: uniqueId('s'),
      iin,
      phone: '+77011234567',
      consentId,
    });
    expect(blocked).toEqual({ blockedUntil: verdict!.blockedUntil });
  });

  it('stores the personal data in PostgreSQL and returns only a receipt; a refusal carries its code', async () => {
    const { activities, stored } = connector();
    const iin = adultIin();
    const consentId = await consented(activities, iin);
    const matchId = uniqueId('m');
    expect((await run(activities.matchPhoto, { matchId, iin, consentId, photo: PHOTO })).scorePercent).toBe(92);
    const owner = { bettorId: uniqueId('b'), bettorRef: 'r'.repeat(64), iin };
    const receipt = await run(activities.fetchMatchedPersonalData, {
      ...owner,
      matchId,
      consentId,
      decision: { decidedBy: 'kyc', decidedAt: '2026-11-20T10:00:00Z' },
      key: uniqueId('k'),
    });
    expect(JSON.stringify(receipt)).not.toContain(iin);
    expect(receipt.fields).toContain('lastName');
    expect(stored.at(-1)?.slice(0, 3)).toEqual([owner.bettorId, owner.bettorRef, 'PHOTO_MATCH']);
    expect(JSON.parse(stored.at(-1)![3] as string)).toMatchObject({ iin, lastName: 'TESTOV' });

    const wrongKey = connector({
      ...signerOf(testCertificates().afm),
      certificate: signerOf(testCertificates().bookmaker).certificate,
    });
    const refused = await run(wrongKey.activities.fetchMatchedPersonalData, {
      ...owner,
      matchId,
      consentId,
      decision: { decidedBy: 'kyc', decidedAt: '2026-11-20T10:00:00Z' },
      key: uniqueId('k'),
    }).catch((e) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).type).toBe(ErrorType.IdentificationRejected);
    expect((refused as ApplicationFailure).details?.[0]).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('never sends a photo that fails annex 1, and reads reference photos from the store', async () => {
    const { activities, photos } = connector();
    const iin = adultIin();
    const consentId = await consented(activities, iin);
    const before = (await simAdmin(sims.nomapay.url).stats()).requests['POST /v1/identification/photo-matches'] ?? 0;
    const bad = { ...PHOTO, quality: { ...GOOD_PHOTO_QUALITY, faceAreaPercent: 20 } };
    const refused = await run(activities.matchPhoto, { matchId: uniqueId('m'), iin, consentId, photo: bad }).catch(
      (e) => e,
    );
    expect((refused as ApplicationFailure).type).toBe(ErrorType.PhotoRequirementsNotMet);
    expect((await simAdmin(sims.nomapay.url).stats()).requests['POST /v1/identification/photo-matches'] ?? 0).toBe(
      before,
    );

    expect(
      (await run(activities.matchReferencePhoto, { matchId: uniqueId('m'), iin, consentId, photoRef: 'known' }))
        .scorePercent,
    ).toBe(92);
    expect(photos.load).toHaveBeenCalledWith('known');
    const missing = await run(activities.matchReferencePhoto, {
      matchId: uniqueId('m'),
      iin,
      consentId,
      photoRef: 'lost',
    }).catch((e) => e);
    expect((missing as ApplicationFailure).type).toBe(ErrorType.PhotoRequirementsNotMet);
  });

  it('replays a retried registration instead of applying it twice', async () => {
    const { activities } = connector();
    const request = {
      registrationId: uniqueId('b'),
      iin: adultIin(),
      identifiedAt: '2026-11-20T10:00:00Z',
      method: 'PHOTO_MATCH' as const,
      agent: 'NOMAPAY' as const,
    };
    await simAdmin(sims.esu.url).fault({ kind: 'apply-then-error', match: { key: request.registrationId }, times: 1 });
    await expect(run(activities.registerBettorWithEsu, request)).rejects.toThrow(/503/);
    const again = await run(activities.registerBettorWithEsu, request);
    expect(again.registrationId).toBe(request.registrationId);
    expect(await simAdmin(sims.esu.url).appliedCount(`bettor:${request.registrationId}`)).toBe(1);
  });
});
