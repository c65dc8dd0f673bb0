import { describe, expect, it, vi } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createConsentSigner } from '../../activities/consent-signer.js';
import type { DocumentSigner } from '../../crypto/signer.js';
import { signerOf, testCertificates } from '../support/certificates.js';
import { createIdentificationActivities } from '../../activities/identification.js';
import type { Pool } from '../../db/pool.js';
import { ErrorType } from '../../domain/errors.js';
import { GOOD_PHOTO_QUALITY } from '../../domain/photo.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simulatedCounterparts } from '../support/unit-counterparts.js';
import { consentRegistration } from '../support/unit-identification.js';

const counterparts = simulatedCounterparts(['esu', 'nomapay']);
const PHOTO = { image: 'aGVsbG8gd29ybGQgcGhvdG8=', quality: GOOD_PHOTO_QUALITY };

function connector(signer: DocumentSigner = counterparts.signer) {
  // ЦОИД's registry is simulated by the Nomapay simulator.
  const tsoid = counterparts.client('tsoid', { at: 'nomapay' });
  const stored: unknown[][] = [];
  const pool = {
    query: vi.fn(async (_sql: string, params: unknown[]) => (stored.push(params), { rowCount: 1, rows: [] })),
  } as unknown as Pool;
  const photos = { load: vi.fn(async (ref: string) => (ref === 'known' ? PHOTO : undefined)) };
  const activities = createIdentificationActivities({
    tsoid,
    esu: counterparts.esu,
    nomapay: counterparts.nomapay,
    pool,
    consentSigner: createConsentSigner(signer),
    photos,
  });
  return { activities, stored, photos };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

async function consented(activities: ReturnType<typeof connector>['activities'], iin: string) {
  const consent = consentRegistration(iin);
  await run(activities.registerConsent, consent);
  return consent.consentId;
}

describe('identification connector against the simulator', () => {
  it('answers a liveness block as a result carrying its end (§23.2)', async () => {
    const { activities } = connector();
    const iin = adultIin();
    await fetch(new URL('/__admin/identification/people', counterparts.sims.nomapay.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iin, liveness: [false, false, false, false] }),
    });
    const consentId = await consented(activities, iin);
    const session = () =>
      run(activities.openTwoFactorSession, { sessionId: uniqueId('s'), iin, phone: '+77011234567', consentId });
    const opened = await session();
    if (!('session' in opened)) throw new Error('expected a session');
    let verdict;
    for (let i = 0; i < 4; i++)
      verdict = await run(activities.checkLiveness, {
        sessionId: opened.session.sessionId,
        key: uniqueId('k'),
        livenessToken: 't',
      });
    expect(verdict).toMatchObject({ passed: false, attemptsLeft: 0, sessionStatus: 'ENDED' });
    const blocked = await session();
    expect(blocked).toEqual({ blockedUntil: verdict!.blockedUntil });
  });

  it('stores the personal data in PostgreSQL and returns only a receipt; a refusal carries its code', async () => {
    const { activities, stored } = connector();
    const iin = adultIin();
    const consentId = await consented(activities, iin);
    const matchId = uniqueId('m');
    expect((await run(activities.matchPhoto, { matchId, iin, consentId, photo: PHOTO })).scorePercent).toBe(92);
    const owner = { bettorId: uniqueId('b'), bettorRef: 'r'.repeat(64), iin };
    /** The KYC officer's request for the matched bettor's personal data, under a fresh key. */
    const personalDataRequest = () => ({
      ...owner,
      matchId,
      consentId,
      decision: { decidedBy: 'kyc', decidedAt: '2026-11-20T10:00:00Z' },
      key: uniqueId('k'),
    });
    const receipt = await run(activities.fetchMatchedPersonalData, personalDataRequest());
    expect(JSON.stringify(receipt)).not.toContain(iin);
    expect(receipt.fields).toContain('lastName');
    expect(stored.at(-1)?.slice(0, 3)).toEqual([owner.bettorId, owner.bettorRef, 'PHOTO_MATCH']);
    expect(JSON.parse(stored.at(-1)![3] as string)).toMatchObject({ iin, lastName: 'TESTOV' });

    const wrongKey = connector({
      ...signerOf(testCertificates().afm),
      certificate: counterparts.signer.certificate,
    });
    const refused = await run(wrongKey.activities.fetchMatchedPersonalData, personalDataRequest()).catch((e) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).type).toBe(ErrorType.IdentificationRejected);
    expect((refused as ApplicationFailure).details?.[0]).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('never sends a photo that fails annex 1, and reads reference photos from the store', async () => {
    const { activities, photos } = connector();
    const iin = adultIin();
    const consentId = await consented(activities, iin);
    const before = (await counterparts.admin('nomapay').stats()).requests['POST /v1/identification/photo-matches'] ?? 0;
    const bad = { ...PHOTO, quality: { ...GOOD_PHOTO_QUALITY, faceAreaPercent: 20 } };
    const refused = await run(activities.matchPhoto, { matchId: uniqueId('m'), iin, consentId, photo: bad }).catch(
      (e) => e,
    );
    expect((refused as ApplicationFailure).type).toBe(ErrorType.PhotoRequirementsNotMet);
    expect((await counterparts.admin('nomapay').stats()).requests['POST /v1/identification/photo-matches'] ?? 0).toBe(
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
    await counterparts
      .admin('esu')
      .fault({ kind: 'apply-then-error', match: { key: request.registrationId }, times: 1 });
    await expect(run(activities.registerBettorWithEsu, request)).rejects.toThrow(/503/);
    const again = await run(activities.registerBettorWithEsu, request);
    expect(again.registrationId).toBe(request.registrationId);
    expect(await counterparts.admin('esu').appliedCount(`bettor:${request.registrationId}`)).toBe(1);
  });
});
