import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAfmSubmission } from '../../activities/afm.js';
import { afmTrust, bookmakerTrust, loadTestCertificates, signerOf, testCertificates } from '../support/certificates.js';
import { verifyAfmCallback } from '../../crypto/afm-callback.js';
import { AfmCallback, AfmMessagesPage } from '../../domain/wire/afm.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { afmSubmissionNow, rejectAtAfm } from '../support/unit-afm.js';
import { bearer, requestJson } from '../support/unit-http.js';

const API_KEY = 'k-afm';
const received: unknown[] = [];
let sims: RunningSimulators;
let receiver: http.Server;

beforeAll(async () => {
  // A stand-in for the bookmaker's callback endpoint: keeps what AFM pushes and answers a receipt.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/afm/verdicts`;
  const certificates = await loadTestCertificates();
  sims = await startSimulators({
    afm: { port: 0, apiKey: API_KEY, callbackUrl: url, callbackSigner: signerOf(certificates.afm) },
    trust: bookmakerTrust(),
  });
});
afterAll(async () => {
  await sims?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  requestJson(sims.afm.url, method, path, body, { ...bearer(API_KEY), ...headers });

async function acknowledged(): Promise<{ submissionId: string; messageId: string }> {
  const msg = await signAfmSubmission(afmSubmissionNow(), signerOf(testCertificates().bookmaker));
  const answer = await call('POST', '/v1/submissions', msg, { 'idempotency-key': msg.submissionId });
  return { submissionId: msg.submissionId, messageId: answer.body.messageId };
}

describe("AFM simulator's verdict messages (the e-government integration rules §47)", () => {
  it('publishes each rejection in order on a cursor-paged feed, and pushes it signed to the callback URL', async () => {
    const subs = await Promise.all([acknowledged(), acknowledged(), acknowledged()]);
    for (const s of subs) expect((await rejectAtAfm(sims.afm.url, s.messageId)).status).toBe(200);

    const first = AfmMessagesPage.parse((await call('GET', '/v1/messages?limit=2')).body);
    expect(first.messages.map((m) => m.submissionId)).toEqual([subs[0]!.submissionId, subs[1]!.submissionId]);
    expect(first).toMatchObject({ hasMore: true, nextCursor: '2' });
    const second = AfmMessagesPage.parse((await call('GET', `/v1/messages?after=${first.nextCursor}&limit=2`)).body);
    expect(second.messages.map((m) => [m.submissionId, m.messageId, m.rejection.code])).toEqual([
      [subs[2]!.submissionId, subs[2]!.messageId, 'IIN_UNKNOWN'],
    ]);
    expect(second).toMatchObject({ hasMore: false, nextCursor: '3' });
    const caughtUp = AfmMessagesPage.parse((await call('GET', '/v1/messages?after=3')).body);
    expect(caughtUp).toEqual({ messages: [], nextCursor: '3', hasMore: false });
    expect((await call('GET', '/v1/messages?after=x')).status).toBe(400);
    // The status endpoint stays.
    expect((await call('GET', `/v1/submissions/${subs[0]!.messageId}`)).body.status).toBe('REJECTED');

    await expect.poll(() => received.length).toBe(3);
    for (const body of received) {
      const callback = AfmCallback.parse(body);
      expect(callback.signature).toMatchObject({
        algorithm: 'RSA-SHA256',
        certificate: signerOf(testCertificates().afm).certificate.toString('base64'),
      });
      expect(verifyAfmCallback(body as never, afmTrust()).ok).toBe(true);
      expect(
        verifyAfmCallback({ ...(body as object), sentAt: '2020-01-01T00:00:00Z' } as never, afmTrust()),
      ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
      // Our certificate is not AFM's: a callback must be signed by the one configured for AFM.
      expect(verifyAfmCallback(body as never, bookmakerTrust())).toMatchObject({
        ok: false,
        code: 'CERTIFICATE_UNTRUSTED',
      });
      expect(subs.map((s) => s.submissionId)).toContain(callback.message.submissionId);
    }
    const pushes = (await call('GET', '/__admin/callbacks')).body;
    expect(pushes.map((p: { status: number }) => p.status)).toEqual([200, 200, 200]);
  });
});
