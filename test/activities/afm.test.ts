import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAfmActivities, type SendAfmSubmission } from '../../activities/afm.js';
import { createEsuSubmissionActivities } from '../../activities/esu-submissions.js';
import { certificateFingerprint, verifyDocument } from '../../crypto/signer.js';
import { bookmakerTrust, signerOf, testCertificates } from '../support/certificates.js';
import { ErrorType } from '../../domain/errors.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { rejectAtAfm } from '../support/unit-afm.js';
import { rejectedWith } from '../support/unit-errors.js';
import { simulatedCounterparts } from '../support/unit-counterparts.js';

const counterparts = simulatedCounterparts(['esu', 'afm']);

const run = <R>(fn: () => Promise<R>): Promise<R> => new MockActivityEnvironment().run(fn) as Promise<R>;
const activities = (signer = counterparts.signer) =>
  createAfmActivities({ afm: counterparts.afm, signer, sender: 'bookmaker-1' });
const held = async () =>
  (await (await fetch(new URL('/__admin/submissions', counterparts.sims.afm.url))).json()) as HeldSubmission[];

function request(overrides: Partial<SendAfmSubmission> = {}): SendAfmSubmission {
  return {
    submissionId: `afm-${uniqueId('dep')}`,
    sentAt: '2026-12-01T05:00:00.000Z',
    record: { iin: adultIin(), receivedAt: '2026-12-01T09:58:00+05:00', receivedTiyn: 250_000 },
    checkFirst: false,
    ...overrides,
  };
}

const failure = (promise: Promise<unknown>) => rejectedWith(ApplicationFailure, promise);

describe('AFM connector', () => {
  it('signs and sends, returning AFM’s messageId with our own send and receive times', async () => {
    const req = request();
    const receipt = await run(() => activities().sendAfmSubmission(req));
    expect(receipt).toMatchObject({ messageId: expect.stringMatching(/^AFM-/), final: false });
    expect(Date.parse(receipt.receivedAt)).toBeGreaterThanOrEqual(Date.parse(receipt.sentAt));
    const atAfm = (await held()).find((h) => h.submissionId === req.submissionId)!;
    expect(atAfm.message).toMatchObject({
      sender: 'bookmaker-1',
      sentAt: req.sentAt,
      signature: {
        algorithm: 'RSA-SHA256',
        keyId: certificateFingerprint(counterparts.signer.certificate),
        certificate: counterparts.signer.certificate.toString('base64'),
      },
    });
    expect(verifyDocument(atAfm.message, bookmakerTrust())).toMatchObject({ ok: true });
  });

  it('asks whether the earlier attempt landed before sending again, so a lost answer is not resent', async () => {
    const req = request();
    await counterparts.admin('afm').fault({ match: { key: req.submissionId }, kind: 'apply-then-error' });
    await expect(run(() => activities().sendAfmSubmission(req))).rejects.toThrow(/503/);
    const before = (await counterparts.admin('afm').stats()).requests['POST /v1/submissions'] ?? 0;
    const receipt = await run(() => activities().sendAfmSubmission({ ...req, checkFirst: true }));
    expect(receipt.foundExisting).toBe(true);
    expect((await counterparts.admin('afm').stats()).requests['POST /v1/submissions']).toBe(before);
    expect((await held()).filter((h) => h.submissionId === req.submissionId)).toHaveLength(1);
    expect(receipt.messageId).toBe((await held()).find((h) => h.submissionId === req.submissionId)!.messageId);
  });

  it('turns a field refusal into SubmissionRejected naming the field, for compliance to correct', async () => {
    const err = await failure(
      run(() =>
        activities().sendAfmSubmission(
          request({ record: { iin: '123456789012', paidAt: '2026-12-01T10:00:00+05:00', paidTiyn: 100 } }),
        ),
      ),
    );
    expect(err.type).toBe(ErrorType.SubmissionRejected);
    expect(err.nonRetryable).toBe(true);
    expect(err.details?.[0]).toMatchObject({ code: 'INVALID_REQUEST', reason: expect.stringContaining('record.iin') });
  });

  it('fails, not retried, on a signature AFM cannot verify, a certificate it does not trust, or a wrong API key', async () => {
    const c = testCertificates();
    // Our certificate, another key: the signature does not match the certificate.
    const forgedSigner = { ...signerOf(c.afm), certificate: counterparts.signer.certificate };
    const forged = await failure(run(() => activities(forgedSigner).sendAfmSubmission(request())));
    expect(forged.type).toBe(ErrorType.CounterpartAuthFailed);
    expect(forged.message).toContain('SIGNATURE_INVALID');
    const untrusted = await failure(run(() => activities(signerOf(c.foreign)).sendAfmSubmission(request())));
    expect(untrusted.type).toBe(ErrorType.CounterpartAuthFailed);
    expect(untrusted.message).toContain('CERTIFICATE_UNTRUSTED');
    const wrongKey = counterparts.client('afm', { apiKey: 'wrong' });
    const err = await failure(
      run(() =>
        createAfmActivities({ afm: wrongKey, signer: counterparts.signer, sender: 'b' }).sendAfmSubmission(request()),
      ),
    );
    expect(err.type).toBe(ErrorType.CounterpartAuthFailed);
  });

  it('reads AFM’s later verdict', async () => {
    const receipt = await run(() => activities().sendAfmSubmission(request()));
    expect((await run(() => activities().getAfmVerdict({ messageId: receipt.messageId }))).status).toBe(
      'ACCEPTED_FOR_PROCESSING',
    );
    await rejectAtAfm(counterparts.sims.afm.url, receipt.messageId);
    expect(await run(() => activities().getAfmVerdict({ messageId: receipt.messageId }))).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'IIN_UNKNOWN' },
    });
  });
});

describe('corrected ESU records', () => {
  const esuActivities = () => createEsuSubmissionActivities({ esu: counterparts.esu });
  const payout = (operationId = uniqueId('pay')) => ({
    operationId,
    kind: 'PAYOUT' as const,
    iin: adultIin(),
    amountTiyn: 900_000,
    currency: 'KZT' as const,
    occurredAt: '2026-12-01T12:00:00+05:00',
  });

  it('records the correction under the resubmission’s id, once; a second record of the operation is refused', async () => {
    const record = payout();
    const receipt = await run(() =>
      esuActivities().sendEsuSubmission({ submissionId: `esu-${record.operationId}-r2`, record, checkFirst: false }),
    );
    expect(receipt).toMatchObject({ messageId: expect.stringMatching(/^ESU-/), final: true });
    const again = await run(() =>
      esuActivities().sendEsuSubmission({ submissionId: `esu-${record.operationId}-r2`, record, checkFirst: true }),
    );
    expect(again).toMatchObject({ messageId: receipt.messageId, foundExisting: true });
    const other = await failure(
      run(() =>
        esuActivities().sendEsuSubmission({
          submissionId: `esu-${record.operationId}-r3`,
          record: { ...record, amountTiyn: 800_000 },
          checkFirst: false,
        }),
      ),
    );
    expect(other.type).toBe(ErrorType.SubmissionRejected);
    expect(other.details?.[0]).toMatchObject({ code: 'DUPLICATE_OPERATION' });
    expect(
      (await counterparts.admin('esu').esuOperations()).filter((o) => o.request.operationId === record.operationId),
    ).toHaveLength(1);
  });

  it('refuses an idempotency key that names another operation', async () => {
    const record = payout();
    const err = await failure(
      run(() => esuActivities().sendEsuSubmission({ submissionId: 'esu-someone-else-r2', record, checkFirst: false })),
    );
    expect(err.type).toBe(ErrorType.SubmissionRejected);
    expect(err.details?.[0]).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
