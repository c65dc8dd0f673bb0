import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createIncidentDeliveryActivities,
  signIncidentCard,
  type DeliverIncidentCard,
} from '../../activities/incident-delivery.js';
import { verifyDocument, type DocumentSigner } from '../../crypto/signer.js';
import { bookmakerTrust, signerOf, testCertificates } from '../support/certificates.js';
import { ErrorType } from '../../domain/errors.js';
import type { IncidentCardMessage } from '../../domain/wire/incident.js';
import { completeCard } from '../support/incident-card.js';
import { uniqueId } from '../support/ids.js';
import { simulatedCounterparts } from '../support/unit-counterparts.js';
import { rejectedWith } from '../support/unit-errors.js';

const counterparts = simulatedCounterparts(['esu', 'nomapay']);

const run = <R>(fn: () => Promise<R>): Promise<R> => new MockActivityEnvironment().run(fn) as Promise<R>;
const received = async (url: string) =>
  (await (await fetch(new URL('/__admin/incident-cards', url))).json()) as IncidentCardMessage[];

/** The delivery activities as bookmaker-1 sends them, signed by `signer` (the registered one by default). */
const delivery = (signer: DocumentSigner = counterparts.signer) =>
  createIncidentDeliveryActivities({
    receivers: { esu: counterparts.esu, nomapay: counterparts.nomapay },
    signer,
    sender: 'bookmaker-1',
  });

function request(receiver: DeliverIncidentCard['receiver'], incidentId = uniqueId('inc')): DeliverIncidentCard {
  return {
    receiver,
    incidentId,
    version: 1,
    phase: 'INITIAL',
    sentAt: '2026-03-10T04:00:00.000Z',
    card: completeCard('2026-03-10T02:15:00+05:00'),
  };
}

describe('incident card delivery', () => {
  it('delivers a signed card to the operator and to ЦМААИ, each acknowledging with the message id', async () => {
    const { deliverIncidentCard } = delivery();
    const incidentId = uniqueId('inc');
    const [toNomapay, toEsu] = await Promise.all([
      run(() => deliverIncidentCard(request('nomapay', incidentId))),
      run(() => deliverIncidentCard(request('esu', incidentId))),
    ]);
    expect(toNomapay.messageId).toBe(`${incidentId}.v1.nomapay`);
    expect(toEsu.messageId).toBe(`${incidentId}.v1.esu`);
    expect(Date.parse(toEsu.receivedAt)).toBeGreaterThanOrEqual(Date.parse(toEsu.sentAt));
    const atEsu = (await received(counterparts.sims.esu.url)).find((m) => m.incidentId === incidentId)!;
    expect(atEsu).toMatchObject({ sender: 'bookmaker-1', phase: 'INITIAL', version: 1 });
    expect(atEsu.signature).toMatchObject({
      algorithm: 'RSA-SHA256',
      certificate: counterparts.signer.certificate.toString('base64'),
    });
    expect(verifyDocument(atEsu, bookmakerTrust()).ok).toBe(true);
  });

  it('files once however often the same version is retried', async () => {
    const { deliverIncidentCard } = delivery();
    const req = request('nomapay');
    const first = await run(() => deliverIncidentCard(req));
    const again = await run(() => deliverIncidentCard(req));
    expect(again.acceptedAt).toBe(first.acceptedAt);
    expect((await received(counterparts.sims.nomapay.url)).filter((m) => m.incidentId === req.incidentId)).toHaveLength(
      1,
    );
  });

  it.each([
    [
      'the signature does not match the certificate',
      () => ({ ...signerOf(testCertificates().afm), certificate: counterparts.signer.certificate }),
      'SIGNATURE_INVALID',
    ],
    ['the certificate is not the registered one', () => signerOf(testCertificates().foreign), 'CERTIFICATE_UNTRUSTED'],
    ['the certificate has expired', () => signerOf(testCertificates().expired), 'CERTIFICATE_UNTRUSTED'],
  ])('is refused, not retried, when %s', async (_case, makeSigner, code) => {
    const wrong = delivery(makeSigner());
    const err = await rejectedWith(
      ApplicationFailure,
      run(() => wrong.deliverIncidentCard(request('esu'))),
    );
    expect(err.type).toBe(ErrorType.IncidentCardRejected);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(code);
  });

  it('signs over every field: a changed row breaks the signature', async () => {
    const signed = await signIncidentCard(
      {
        messageId: 'm',
        incidentId: 'i',
        version: 1,
        phase: 'INITIAL',
        sender: 's',
        sentAt: '2026-03-10T04:00:00.000Z',
        card: completeCard('2026-03-10T02:15:00+05:00'),
      },
      counterparts.signer,
    );
    expect(verifyDocument(signed, bookmakerTrust()).ok).toBe(true);
    expect(
      verifyDocument({ ...signed, card: { ...signed.card, symptoms: 'nothing happened' } }, bookmakerTrust()),
    ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });
});
