import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { simAdmin } from '../support/sim-admin.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { bearer, requestJson as call } from '../support/unit-http.js';
import { withCheckDigit } from '../../domain/iin.js';

let sims: RunningSimulators;
const ESU_KEY = 'sim-test-esu';
const NOMAPAY_KEY = 'sim-test-nomapay';

beforeAll(async () => {
  sims = await startSimulators({
    esu: { port: 0, apiKey: ESU_KEY },
    nomapay: { port: 0, apiKey: NOMAPAY_KEY, defaultWalletBalanceTiyn: 1_000_000 },
  });
});
afterAll(async () => sims?.close());
beforeEach(async () => {
  await fetch(new URL('/__admin/reset', sims.esu.url), { method: 'POST' });
  await fetch(new URL('/__admin/reset', sims.nomapay.url), { method: 'POST' });
});

const esuAuth = bearer(ESU_KEY);
const npAuth = bearer(NOMAPAY_KEY);

function operation(operationId = uniqueId('op'), iin = adultIin()) {
  return {
    operationId,
    kind: 'DEPOSIT',
    iin,
    amountTiyn: 10_000,
    currency: 'KZT',
    occurredAt: '2026-11-20T10:00:00+05:00',
  };
}

/** Records `body` at the ESU simulator under the idempotency key of `op`'s operationId. */
const record = (op: { operationId: string }, body: unknown = op) =>
  call(sims.esu.url, 'POST', '/v1/operations', body, { ...esuAuth, 'idempotency-key': op.operationId });

/** Sends a transfer to the Nomapay simulator under the idempotency key of its transferId. */
const sendTransfer = (t: { transferId: string }) =>
  call(sims.nomapay.url, 'POST', '/v1/transfers', t, { ...npAuth, 'idempotency-key': t.transferId });

describe('ESU simulator', () => {
  it('refuses a request without the right API key', async () => {
    const res = await call(
      sims.esu.url,
      'POST',
      '/v1/eligibility-checks',
      { iin: adultIin(), purpose: 'BET' },
      { authorization: 'Bearer wrong' },
    );
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('names every invalid field', async () => {
    const res = await call(
      sims.esu.url,
      'POST',
      '/v1/operations',
      { ...operation(), amountTiyn: 1.5, iin: '123' },
      { ...esuAuth, 'idempotency-key': 'k' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['amountTiyn', 'iin']);
  });

  it('records once and replays the same receipt for the same key and body', async () => {
    const op = operation();
    const first = await record(op);
    const second = await record(op);
    expect(first.status).toBe(201);
    expect(second).toEqual(first);
    expect(await simAdmin(sims.esu.url).appliedCount(op.operationId)).toBe(1);
    // The status query also says what was recorded, so a caller can tell its own operation from another's.
    const status = await call(sims.esu.url, 'GET', `/v1/operations/${op.operationId}`, undefined, esuAuth);
    expect(status.body).toEqual({ ...first.body, kind: op.kind, amountTiyn: op.amountTiyn, iin: op.iin });
  });

  it('answers 409 when the key comes back with another body', async () => {
    const op = operation();
    await record(op);
    const res = await record(op, { ...op, amountTiyn: 20_000 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('refuses under-21 and self-excluded bettors, and will not lift a self-exclusion', async () => {
    const teen = withCheckDigit('08010150012'); // born 2008-01-01
    const underage = await call(sims.esu.url, 'POST', '/v1/eligibility-checks', { iin: teen, purpose: 'BET' }, esuAuth);
    expect(underage.body).toMatchObject({ eligible: false, reason: 'UNDER_21' });

    const iin = adultIin();
    await simAdmin(sims.esu.url).restrict(iin, 'SELF_EXCLUDED');
    const excluded = await call(sims.esu.url, 'POST', '/v1/eligibility-checks', { iin, purpose: 'DEPOSIT' }, esuAuth);
    expect(excluded.body).toMatchObject({ eligible: false, reason: 'SELF_EXCLUDED' });
    const lift = await call(sims.esu.url, 'DELETE', `/__admin/restrictions/${iin}`);
    expect(lift.status).toBe(409);
    const op = operation(uniqueId('op'), iin);
    const refused = await record(op);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('BETTOR_RESTRICTED');
  });

  it('applies then loses the answer on apply-then-error, and the status query shows it applied', async () => {
    const op = operation();
    await simAdmin(sims.esu.url).fault({ match: { key: op.operationId }, kind: 'apply-then-error' });
    const lost = await record(op);
    expect(lost.status).toBe(503);
    const status = await call(sims.esu.url, 'GET', `/v1/operations/${op.operationId}`, undefined, esuAuth);
    expect(status.status).toBe(200);
    expect(await simAdmin(sims.esu.url).appliedCount(op.operationId)).toBe(1);
  });

  it('fails a given number of times, rejects with a code, and delays', async () => {
    const op = operation();
    await simAdmin(sims.esu.url).fault({ match: { key: op.operationId }, kind: 'error', times: 2 });
    expect((await record(op)).status).toBe(503);
    expect((await record(op)).status).toBe(503);
    expect((await record(op)).status).toBe(201);

    const rejected = operation();
    await simAdmin(sims.esu.url).fault({
      match: { key: rejected.operationId },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    const refusal = await record(rejected);
    expect(refusal).toMatchObject({ status: 422, body: { error: { code: 'LIMIT_EXCEEDED' } } });
    expect(await simAdmin(sims.esu.url).appliedCount(rejected.operationId)).toBe(0);

    await simAdmin(sims.esu.url).fault({ match: { pathPrefix: '/v1/eligibility' }, kind: 'delay', delayMs: 300 });
    const started = performance.now();
    await call(sims.esu.url, 'POST', '/v1/eligibility-checks', { iin: adultIin(), purpose: 'BET' }, esuAuth);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('Nomapay simulator', () => {
  const transfer = (iin: string, amountTiyn: number, transferId = uniqueId('tr')) => ({
    transferId,
    iin,
    direction: 'BETTOR_TO_BOOKMAKER',
    amountTiyn,
    currency: 'KZT',
  });

  it('debits a wallet once, refunds it once, and refuses more than it holds', async () => {
    const iin = adultIin();
    const admin = simAdmin(sims.nomapay.url);
    await admin.setWallet({ iin, balanceTiyn: 50_000 });
    const t = transfer(iin, 30_000);
    const debit = await sendTransfer(t);
    expect(debit.status).toBe(201);
    expect(await admin.walletBalance(iin)).toBe(20_000);

    const tooMuch = transfer(iin, 30_000);
    const refused = await sendTransfer(tooMuch);
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'INSUFFICIENT_FUNDS' } } });

    const refundHeaders = { ...npAuth, 'idempotency-key': `${t.transferId}:refund` };
    const refund = await call(
      sims.nomapay.url,
      'POST',
      `/v1/transfers/${t.transferId}/refund`,
      { reason: 'test' },
      refundHeaders,
    );
    await call(sims.nomapay.url, 'POST', `/v1/transfers/${t.transferId}/refund`, { reason: 'test' }, refundHeaders);
    expect(refund.body.status).toBe('REFUNDED');
    expect(await admin.walletBalance(iin)).toBe(50_000);

    const unknown = await call(
      sims.nomapay.url,
      'POST',
      '/v1/transfers/nope/refund',
      { reason: 'test' },
      { ...npAuth, 'idempotency-key': 'nope:refund' },
    );
    expect(unknown.status).toBe(404);
  });

  it('refuses an unidentified or blocked wallet', async () => {
    const iin = adultIin();
    await simAdmin(sims.nomapay.url).setWallet({ iin, balanceTiyn: 50_000, identified: false });
    const t = transfer(iin, 1_000);
    const res = await sendTransfer(t);
    expect(res.body.error.code).toBe('WALLET_NOT_IDENTIFIED');
  });

  it('requires the idempotency key on mutations', async () => {
    const res = await call(sims.nomapay.url, 'POST', '/v1/transfers', transfer(adultIin(), 1_000), npAuth);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('idempotency-key');
  });

  it('refuses a transfer whose idempotency key is not its transferId, naming the field, and moves nothing', async () => {
    const iin = adultIin();
    const admin = simAdmin(sims.nomapay.url);
    await admin.setWallet({ iin, balanceTiyn: 50_000 });
    const t = transfer(iin, 1_000);
    const res = await call(sims.nomapay.url, 'POST', '/v1/transfers', t, { ...npAuth, 'idempotency-key': 'other' });
    expect(res).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: 'idempotency-key must equal transferId',
          details: [{ field: 'transferId', code: 'mismatch', message: 'must equal the idempotency-key header' }],
        },
      },
    });
    expect(await admin.walletBalance(iin)).toBe(50_000);
    const unknown = await call(sims.nomapay.url, 'GET', `/v1/transfers/${t.transferId}`, undefined, npAuth);
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `transfer ${t.transferId} does not exist` } },
    });
  });
});
