import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAfmSubmission } from '../../activities/afm.js';
import { bookmakerTrust, loadTestCertificates, signerOf, testCertificates } from '../support/certificates.js';
import type { AfmMoneyFlowRecord } from '../../domain/submission.js';
import type { AfmSubmissionStatus } from '../../domain/wire/afm.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { rejectAtAfm } from '../support/unit-afm.js';
import { bearer, requestJson } from '../support/unit-http.js';

const API_KEY = 'k-afm';
// The simulator's clock, moved by the tests to cross AFM's 1-working-day window.
let clock = Date.parse('2026-12-01T10:00:00+05:00');
let sims: RunningSimulators;

beforeAll(async () => {
  await loadTestCertificates();
  sims = await startSimulators({
    afm: { port: 0, apiKey: API_KEY, now: () => new Date(clock) },
    trust: bookmakerTrust(),
  });
});
afterAll(async () => {
  await sims?.close();
});

const record = (overrides: Partial<AfmMoneyFlowRecord> = {}): AfmMoneyFlowRecord => ({
  iin: adultIin(),
  receivedAt: '2026-12-01T09:58:00+05:00',
  receivedTiyn: 250_000,
  ...overrides,
});

function message(submissionId = `afm-${uniqueId('dep')}`, rec: unknown = record()) {
  return signAfmSubmission(
    { submissionId, sender: 'bookmaker-1', sentAt: '2026-12-01T09:59:00.000Z', record: rec as AfmMoneyFlowRecord },
    signerOf(testCertificates().bookmaker),
  );
}

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  requestJson(sims.afm.url, method, path, body, { ...bearer(API_KEY), ...headers });
const submit = (msg: Awaited<ReturnType<typeof message>>, headers: Record<string, string> = {}) =>
  call('POST', '/v1/submissions', msg, { 'idempotency-key': msg.submissionId, ...headers });
const held = async () => (await call('GET', '/__admin/submissions')).body as HeldSubmission[];

describe('AFM simulator', () => {
  it('acknowledges a signed submission with a messageId, and reports it accepted for processing', async () => {
    const msg = await message();
    const answer = await submit(msg);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      messageId: expect.stringMatching(/^AFM-/),
      acceptedAt: new Date(clock).toISOString(),
    });
    const status = await call('GET', `/v1/submissions/${answer.body.messageId}`);
    expect(status.body).toEqual({ messageId: answer.body.messageId, status: 'ACCEPTED_FOR_PROCESSING' });
    expect((await call('GET', `/v1/submission-receipts/${msg.submissionId}`)).body).toEqual(answer.body);
    expect((await call('GET', '/v1/submission-receipts/afm-never-sent')).status).toBe(404);
  });

  it('refuses bad fields with 400, naming each one', async () => {
    const answer = await submit(await message(undefined, { iin: '123456789012', paidTiyn: -5 }));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_REQUEST');
    const fields = answer.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toContain('record.iin');
    expect(fields).toContain('record.paidTiyn');
  });

  it('refuses a wrong API key (401) and a signature it cannot verify (422 SIGNATURE_INVALID)', async () => {
    expect((await submit(await message(), { authorization: 'Bearer wrong' })).status).toBe(401);
    const forged = { ...(await message()), record: record({ receivedTiyn: 1 }) };
    const answer = await submit(forged);
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('SIGNATURE_INVALID');
  });

  it('holds a submission once however often it is sent, and refuses the same id with another body', async () => {
    const msg = await message();
    const first = await submit(msg);
    const again = await submit(msg);
    expect(again.body).toEqual(first.body);
    expect((await held()).filter((h) => h.submissionId === msg.submissionId)).toHaveLength(1);
    const other = await submit(await message(msg.submissionId, record()));
    expect(other.status).toBe(409);
  });

  it('rejects within the 1-working-day window, and refuses to once it has closed', async () => {
    clock = Date.parse('2026-12-04T19:00:00+05:00'); // a Friday evening: the window runs to the end of Monday
    const early = (await submit(await message())).body.messageId as string;
    const late = (await submit(await message())).body.messageId as string;
    clock = Date.parse('2026-12-07T23:59:00+05:00');
    const rejected = await rejectAtAfm(sims.afm.url, early);
    expect(rejected.status).toBe(200);
    const status = (await call('GET', `/v1/submissions/${early}`)).body as AfmSubmissionStatus;
    expect(status).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'IIN_UNKNOWN', reason: 'not in the register', rejectedAt: new Date(clock).toISOString() },
    });

    clock = Date.parse('2026-12-08T00:00:00+05:00');
    const closed = await rejectAtAfm(sims.afm.url, late, 'too late');
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('WINDOW_CLOSED');
    expect((await call('GET', `/v1/submissions/${late}`)).body.status).toBe('ACCEPTED_FOR_PROCESSING');
  });

  it('auto-rejects matching submissions by rule', async () => {
    const iin = adultIin();
    expect(
      (
        await call('POST', '/__admin/auto-reject', {
          match: { iin },
          code: 'AMOUNT_IMPLAUSIBLE',
          reason: 'check the amount',
        })
      ).status,
    ).toBe(201);
    const hit = (await submit(await message(undefined, record({ iin })))).body.messageId;
    const miss = (await submit(await message())).body.messageId;
    expect((await call('GET', `/v1/submissions/${hit}`)).body).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'AMOUNT_IMPLAUSIBLE' },
    });
    expect((await call('GET', `/v1/submissions/${miss}`)).body.status).toBe('ACCEPTED_FOR_PROCESSING');
  });
});
