import { afterAll, describe, expect, it } from 'vitest';
import { signDocument, verifyDocument } from '../../crypto/signer.js';
import { isoWithOffset } from '../../domain/incident.js';
import type { IncidentCardMessage } from '../../domain/wire/incident.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { bookmakerTrust, signerOf, testCertificates } from '../support/certificates.js';
import { completeCard } from '../support/incident-card.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { identifyByPhoto } from '../support/identification.js';
import { simAdmin } from '../support/sim-admin.js';
import { startAfmSubmission, submissionIn } from '../support/submissions.js';
import { eventually, stack, useFileStack } from '../support/stack.js';

/**
 * The real stack signs with the bookmaker's PKCS#12 (SIGNING_PKCS12_PATH, a test CA's certificate) and the
 * simulators accept only documents signed by that registered certificate: AFM submissions, incident cards and the
 * consent confirmation each go through, and a forgery is refused with its code.
 */
useFileStack({ AFM_VERDICT_READER: 'false' });
const open: string[] = [];

afterAll(async () => {
  await stack?.endWorkflows(open);
});

const ourCertificate = () => signerOf(testCertificates().bookmaker).certificate.toString('base64');
const admin = async <T>(url: string, path: string) => (await (await fetch(new URL(path, url))).json()) as T;

async function acknowledgedSubmission(): Promise<HeldSubmission> {
  const iin = adultIin();
  const { submissionId } = await startAfmSubmission(stack, iin);
  open.push(`Submission:${submissionId}`);
  await submissionIn(stack, submissionId, 'ACKNOWLEDGED');
  return eventually(async () =>
    (await simAdmin(stack.simulators.afm.url).heldSubmissions()).find((h) => h.submissionId === submissionId),
  );
}

describe('X.509 signatures on the real stack', () => {
  it('AFM accepts a submission signed with the PKCS#12 key, the certificate attached', async () => {
    const held = await acknowledgedSubmission();
    expect(held.message.signature).toMatchObject({ algorithm: 'RSA-SHA256', certificate: ourCertificate() });
    expect(verifyDocument(held.message, bookmakerTrust())).toMatchObject({ ok: true });
  });

  it('ЦМААИ and Nomapay accept the incident card signed the same way', async () => {
    const incidentId = uniqueId('INC-sig');
    const handle = await stack.esuBridge.openIncident({
      incidentId,
      card: completeCard(isoWithOffset(Date.now() - 2 * 3600_000, 300)),
      openedBy: 'aigerim',
    });
    open.push(handle.workflowId);
    await handle.submit({ submittedBy: 'aigerim' });
    for (const receiver of [stack.simulators.esu.url, stack.simulators.nomapay.url]) {
      const card = await eventually(async () =>
        (await admin<IncidentCardMessage[]>(receiver, '/__admin/incident-cards')).find(
          (m) => m.incidentId === incidentId,
        ),
      );
      expect(card.signature).toMatchObject({ algorithm: 'RSA-SHA256', certificate: ourCertificate() });
      expect(verifyDocument(card, bookmakerTrust())).toMatchObject({ ok: true });
    }
  });

  it('ЦОИД releases personal data on the consent confirmation signed with the PKCS#12 key', async () => {
    const { id } = await identifyByPhoto(stack.esuBridge, stack.simulators.nomapay.url, adultIin(), 90);
    open.push(id.workflowId);
  });

  it('refuses a forgery: a changed body (SIGNATURE_INVALID), another certificate (CERTIFICATE_UNTRUSTED)', async () => {
    const held = await acknowledgedSubmission();
    const send = async (body: { submissionId: string }) => {
      const res = await fetch(new URL('/v1/submissions', stack.simulators.afm.url), {
        method: 'POST',
        headers: {
          authorization: 'Bearer it-afm-key',
          'content-type': 'application/json',
          'idempotency-key': body.submissionId,
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    // Our signed message, replayed with another amount under another id: the signature no longer covers it.
    const tampered = {
      ...held.message,
      submissionId: `${held.submissionId}-x`,
      record: { ...held.message.record, receivedTiyn: 1 },
    };
    expect(await send(tampered)).toEqual({ status: 422, code: 'SIGNATURE_INVALID' });
    // Signed properly, but by a certificate another CA issued in our name.
    const { signature: _s, ...unsigned } = held.message;
    const foreign = await signDocument(
      { ...unsigned, submissionId: `${held.submissionId}-y` },
      signerOf(testCertificates().foreign),
    );
    expect(await send(foreign)).toEqual({ status: 422, code: 'CERTIFICATE_UNTRUSTED' });
  });
});
