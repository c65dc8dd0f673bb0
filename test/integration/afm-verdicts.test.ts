import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAfmCallback } from '../../crypto/afm-callback.js';
import { signerOf, testCertificates } from '../support/certificates.js';
import type { AfmVerdictMessage } from '../../domain/wire/afm.js';
import type { PushedCallback } from '../../simulators/afm.js';
import { startApiStack } from '../support/api.js';
import { adultIin } from '../support/ids.js';
import { simAdmin } from '../support/sim-admin.js';
import { rejectAtAfm, startAfmSubmission } from '../support/submissions.js';

let stack: Awaited<ReturnType<typeof startApiStack>>;
const open: string[] = [];

beforeAll(async () => {
  // Push only: no reader of AFM's feed in this file, so what turns the submission REJECTED is AFM's callback.
  stack = await startApiStack({ AFM_VERDICT_READER: 'false' });
  const res = await fetch(new URL('/__admin/callback', stack.simulators.afm.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${stack.api.url}/v1/afm/verdicts` }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await stack?.endWorkflows(open.map((id) => `Submission:${id}`));
  await stack?.stop();
});

const afm = async <T>(path: string) => (await (await fetch(new URL(path, stack.simulators.afm.url))).json()) as T;
const push = async (body: unknown) => {
  const res = await fetch(new URL('/v1/afm/verdicts', stack.api.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

describe("AFM's pushed verdicts against the real stack", () => {
  it('turns the submission REJECTED from the callback alone, and refuses the same callback replayed and a forged one', async () => {
    const iin = adultIin();
    const { submissionId } = await startAfmSubmission(stack, iin);
    open.push(submissionId);
    const { rejected, rejectedAt } = await rejectAtAfm(stack, submissionId, {
      code: 'IIN_UNKNOWN',
      reason: 'the IIN is not in the state register',
    });
    expect(rejected).toMatchObject({ rejection_code: 'IIN_UNKNOWN', rejection_source: 'VERDICT' });
    expect(rejected.updated_at.getTime() - rejectedAt).toBeLessThan(10_000);
    const state = await stack.esuBridge.getSubmission(submissionId);
    expect(state.rejection).toMatchObject({ channel: 'PUSH', code: 'IIN_UNKNOWN' });

    // AFM got a receipt for its callback; no status request and no feed read was needed.
    const message = (await afm<AfmVerdictMessage[]>('/__admin/messages')).find((m) => m.submissionId === submissionId)!;
    const pushed = (await afm<PushedCallback[]>('/__admin/callbacks')).filter((p) => p.messageId === message.id);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({
      status: 200,
      body: { received: true, verdictId: message.id, submissionId, outcome: 'DELIVERED' },
    });
    const { requests } = await simAdmin(stack.simulators.afm.url).stats();
    expect(requests['GET /v1/submissions/:messageId'] ?? 0).toBe(0);
    expect(requests['GET /v1/messages'] ?? 0).toBe(0);

    // The same verdict again, correctly signed: a replay, refused.
    // AFM's own certificate (the test stack configures AFM_CERTIFICATE_PATH to it); verified end to end above.
    const replay = await push(
      await signAfmCallback({ message, sentAt: new Date().toISOString() }, signerOf(testCertificates().afm)),
    );
    expect(replay.status).toBe(409);
    expect(replay.type).toMatch(/^application\/problem\+json/);
    // Signed with a certificate that is not AFM's (another CA): forged, refused.
    const forged = await push(
      await signAfmCallback(
        { message: { ...message, id: `${message.id}-forged` }, sentAt: new Date().toISOString() },
        signerOf(testCertificates().foreign),
      ),
    );
    expect(forged.status).toBe(401);
    expect((forged.body as { detail: string }).detail).toContain('CERTIFICATE_UNTRUSTED');

    const { rows } = await stack.pool.query(
      `SELECT event, result FROM journal WHERE record_id = $1 AND event LIKE 'afm.%' ORDER BY chain_seq`,
      [submissionId],
    );
    expect(rows).toEqual([
      { event: 'afm.verdict-received', result: 'OK' },
      { event: 'afm.callback-replayed', result: 'REFUSED' },
      { event: 'afm.callback-forged', result: 'REFUSED' },
    ]);
    expect((await stack.esuBridge.getSubmission(submissionId)).status).toBe('REJECTED');
  });
});
