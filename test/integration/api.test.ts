import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, httpClient, startApiStack } from '../support/api.js';
import { draftCard } from '../support/incident-card.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { TEST_PHOTO } from '../support/identification.js';
import { simAdmin } from '../support/sim-admin.js';
import { eventually } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startApiStack>>;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  stack = await startApiStack();
  http = httpClient(stack.api.url);
});

afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
  http('POST', path, { body, headers: { 'idempotency-key': key, ...headers } });
const WAIT = { prefer: 'wait=20' };

describe('the bookmaker API over plain HTTP', () => {
  it('serves its OpenAPI 3.1 document with every route, without a key', async () => {
    const doc = await http('GET', '/openapi.json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/deposits',
        '/v1/deposits/{depositId}',
        '/v1/bets',
        '/v1/bets/{betId}',
        '/v1/bets/{betId}/settlement',
        '/v1/payouts',
        '/v1/payouts/{payoutId}',
        '/v1/identifications',
        '/v1/identifications/{bettorId}/sms-code',
        '/v1/migrations',
        '/v1/migrations/{migrationId}',
        '/v1/incidents',
        '/v1/incidents/{incidentId}/closure',
      ]),
    );
    expect(doc.body.paths['/v1/deposits'].post.responses['422'].content['application/problem+json']).toBeDefined();
  });

  it('refuses calls without a valid key (401) or without the scope (403), as problems', async () => {
    const anonymous = await http('GET', '/v1/deposits/dep-1', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(anonymous.body).toMatchObject({ status: 401, type: 'urn:esu-bridge:problem:unauthenticated' });
    expect((await http('GET', '/v1/deposits/dep-1', { key: 'not-a-configured-key' })).status).toBe(401);
    const depositId = uniqueId('dep');
    const forbidden = await http('POST', '/v1/deposits', {
      key: API_KEYS.reader,
      headers: { 'idempotency-key': depositId },
      body: { depositId, iin: adultIin(), amountTiyn: 100, currency: 'KZT' },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toContain('deposits:write');
    expect((await http('GET', `/v1/deposits/${depositId}`, { key: API_KEYS.reader })).status).toBe(404);
  });

  it('names every bad field, in the body and the headers, and starts nothing', async () => {
    const missingKey = await http('POST', '/v1/deposits', {
      body: { depositId: 'x', amountTiyn: 1.5, currency: 'USD' },
    });
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.errors).toEqual(
      expect.arrayContaining([
        { in: 'header', field: 'Idempotency-Key', message: 'is required on every POST' },
        expect.objectContaining({ in: 'body', field: 'iin' }),
        expect.objectContaining({ in: 'body', field: 'amountTiyn' }),
        expect.objectContaining({ in: 'body', field: 'currency' }),
      ]),
    );
    const badIin = await post('/v1/deposits', 'dep-bad', {
      depositId: 'dep-bad',
      iin: '900517300010',
      amountTiyn: 100,
      currency: 'KZT',
    });
    expect(badIin.status).toBe(422);
    expect(badIin.body.errors).toEqual([{ in: 'body', field: 'iin', message: 'IIN check digit does not match' }]);
    const otherKey = await post('/v1/deposits', 'not-the-id', {
      depositId: uniqueId('dep'),
      iin: adultIin(),
      amountTiyn: 100,
      currency: 'KZT',
    });
    expect(otherKey.status).toBe(422);
    expect(otherKey.body.errors[0]).toMatchObject({ in: 'header', field: 'Idempotency-Key' });
    expect(
      (await http('POST', '/v1/deposits', { body: '{"depositId":', headers: { 'idempotency-key': 'x' } })).body,
    ).toMatchObject({ status: 400, detail: 'the request body is not valid JSON' });
    const xml = await http('POST', '/v1/deposits', {
      body: '<deposit/>',
      headers: { 'idempotency-key': 'x', 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    const huge = await post('/v1/deposits', 'x', { depositId: 'x', padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await http('GET', '/v1/deposits/not%20an%20id')).status).toBe(400);
    expect((await http('GET', '/v1/nothing-here')).status).toBe(404);
  });

  it('takes a deposit: 202 with Location, then GET until COMPLETED; a replay answers the same resource; another body is 409', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    const body = { depositId, iin, amountTiyn: 250_000, currency: 'KZT' };
    const accepted = await post('/v1/deposits', depositId, body);
    expect([200, 202]).toContain(accepted.status);
    expect(accepted.headers.get('location')).toBe(`/v1/deposits/${depositId}`);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
    expect(accepted.body.depositId).toBe(depositId);
    const done = await eventually(async () => {
      const got = await http('GET', `/v1/deposits/${depositId}`);
      return got.body.status === 'COMPLETED' && got;
    });
    expect(done.body).toMatchObject({
      depositId,
      amountTiyn: 250_000,
      esuReceipt: { operationId: `dep-${depositId}` },
    });
    expect(JSON.stringify(done.body)).not.toContain(iin);

    const replay = await post('/v1/deposits', depositId, body, WAIT);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(done.body);
    const conflict = await post('/v1/deposits', depositId, { ...body, amountTiyn: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ status: 409, errorType: 'IdempotencyConflict' });
    expect(await simAdmin(stack.simulators.nomapay.url).appliedCount(`dep-${depositId}`)).toBe(1);
    // The deposit's id sent as a payout's: the operation registry answers at once, and nothing starts.
    const otherKind = await post('/v1/payouts', depositId, {
      payoutId: depositId,
      iin,
      amountTiyn: 100,
      currency: 'KZT',
    });
    expect(otherKind.status).toBe(409);
    expect(otherKind.body).toMatchObject({ status: 409, errorType: 'IdempotencyConflict' });
    expect(otherKind.body.detail).toContain('names a deposit');
    expect((await http('GET', `/v1/payouts/${depositId}`)).status).toBe(404);

    const journal = await stack.pool.query(
      "SELECT actor, result, details FROM journal WHERE event = 'api.request' AND record_id = $1 ORDER BY id",
      [depositId],
    );
    expect(journal.rows.map((r) => [r.actor, r.result, r.details.status])).toEqual(
      expect.arrayContaining([
        ['it-full', 'OK', 202],
        ['it-full', 'OK', 200],
        ['it-full', 'REFUSED', 409],
      ]),
    );
    expect(journal.rows.find((r) => r.details.replayed)).toBeDefined();
    expect(JSON.stringify(journal.rows)).not.toContain(iin);
  });

  it('answers a deposit ESU refuses as its final state with the failure (Prefer: wait), not as an error', async () => {
    const depositId = uniqueId('dep');
    await simAdmin(stack.simulators.esu.url).fault({
      match: { key: `dep-${depositId}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    const refused = await post(
      '/v1/deposits',
      depositId,
      { depositId, iin: adultIin(), amountTiyn: 100_000, currency: 'KZT' },
      WAIT,
    );
    expect(refused.status).toBe(200);
    expect(refused.headers.get('preference-applied')).toBe('wait=20');
    expect(refused.body).toMatchObject({ status: 'COMPENSATED', failure: { type: 'EsuRejected' } });
    expect(refused.body.compensations.length).toBeGreaterThan(0);
  });

  it('places a bet, settles it, pays out — and refuses a second settlement with another result', async () => {
    const iin = adultIin();
    const depositId = uniqueId('dep');
    expect(
      (await post('/v1/deposits', depositId, { depositId, iin, amountTiyn: 300_000, currency: 'KZT' }, WAIT)).body
        .status,
    ).toBe('COMPLETED');
    const betId = uniqueId('bet');
    const bet = await post(
      '/v1/bets',
      betId,
      { betId, iin, stakeTiyn: 100_000, currency: 'KZT', eventId: 'kpl-17', outcome: 'HOME', odds: '2.35' },
      WAIT,
    );
    expect(bet.status).toBe(200);
    expect(bet.headers.get('location')).toBe(`/v1/bets/${betId}`);
    expect(bet.body).toMatchObject({ betId, status: 'ACCEPTED', stakeTiyn: 100_000, odds: '2.35' });
    expect((await http('GET', `/v1/bets/${betId}`)).body.status).toBe('ACCEPTED');

    const settleKey = `${betId}.settle`;
    expect((await post(`/v1/bets/${betId}/settlement`, 'wrong-key', { result: 'WON' })).status).toBe(422);
    const settled = await post(`/v1/bets/${betId}/settlement`, settleKey, { result: 'WON' }, WAIT);
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({
      betId,
      operationId: settleKey,
      status: 'SETTLED',
      result: 'WON',
      winningsTiyn: 235_000,
    });
    expect((await http('GET', `/v1/bets/${betId}/settlement`)).body.status).toBe('SETTLED');
    const again = await post(`/v1/bets/${betId}/settlement`, settleKey, { result: 'WON' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await post(`/v1/bets/${betId}/settlement`, settleKey, { result: 'LOST' });
    expect(other.status).toBe(409);
    expect(other.body.errorType).toBe('SettlementConflict');

    const payoutId = uniqueId('pay');
    const payout = await post('/v1/payouts', payoutId, { payoutId, iin, amountTiyn: 200_000, currency: 'KZT' }, WAIT);
    expect(payout.status).toBe(200);
    expect(payout.body).toMatchObject({ payoutId, status: 'COMPLETED', amountTiyn: 200_000 });
    expect((await http('GET', `/v1/payouts/${payoutId}`)).body.status).toBe('COMPLETED');
    expect((await http('GET', `/v1/payouts/${uniqueId('pay')}`)).status).toBe(404);
    expect((await http('GET', `/v1/bets/${uniqueId('bet')}/settlement`)).status).toBe(404);
  });

  it('identifies a bettor by two-factor step by step; a replayed step answers the stored answer, a reused key is 409', async () => {
    const iin = adultIin();
    const bettorId = uniqueId('bettor');
    const path = `/v1/identifications/${bettorId}`;
    const started = await post('/v1/identifications', bettorId, { bettorId });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(path);
    const consent = await post(`${path}/consent`, uniqueId('step'), { accepted: true, agreementVersion: '2024-11' });
    expect(consent.status).toBe(200);
    const twoFactorKey = uniqueId('step');
    const opened = await post(`${path}/two-factor`, twoFactorKey, { iin, phone: '+7 701 123 45 67' });
    expect(opened.status).toBe(200);
    expect(JSON.stringify(opened.body)).not.toContain(iin);
    const replayed = await post(`${path}/two-factor`, twoFactorKey, { iin, phone: '+7 701 123 45 67' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(opened.body);
    expect((await post(`${path}/liveness`, twoFactorKey, { livenessToken: 'capture-1' })).body.errorType).toBe(
      'IdempotencyConflict',
    );
    expect((await post(`${path}/liveness`, uniqueId('step'), { livenessToken: 'capture-1' })).status).toBe(200);
    expect((await post(`${path}/sms`, uniqueId('step'), {})).status).toBe(200);
    const sms = await simAdmin(stack.simulators.nomapay.url).smsCode(opened.body.state.session.sessionId);
    const code = await post(`${path}/sms-code`, uniqueId('step'), { code: sms });
    expect(code.body.result).toBe('CODE_ACCEPTED');
    const identified = await eventually(async () => {
      const got = await http('GET', path);
      return got.body.step === 'IDENTIFIED' && got;
    });
    expect(identified.body).toMatchObject({ bettorId, method: 'TWO_FACTOR', walletId: bettorId });
    // The identification has ended: a further step is refused, not a server error.
    const late = await post(`${path}/review`, uniqueId('step'), { approved: true, reviewer: 'kyc.officer' });
    expect(late.status).toBe(409);
    expect(late.body.errorType).toBe('IdentificationStepRejected');
  });

  it('identifies by photo match after the bookmaker’s decision, and ends an identification whose consent is revoked', async () => {
    const iin = adultIin();
    await simAdmin(stack.simulators.nomapay.url).setPerson({ iin, photoScore: 90 });
    const bettorId = uniqueId('bettor');
    const path = `/v1/identifications/${bettorId}`;
    await post('/v1/identifications', bettorId, { bettorId });
    await post(`${path}/consent`, uniqueId('step'), { accepted: true, agreementVersion: '2024-11' });
    const matched = await post(`${path}/photo`, uniqueId('step'), {
      iin,
      photo: TEST_PHOTO,
    });
    expect(matched.body.result).toBe('PHOTO_MATCHED');
    expect(
      (await post(`${path}/decision`, uniqueId('step'), { positive: true, decidedBy: 'kyc.officer' })).status,
    ).toBe(200);
    expect((await post('/v1/identifications', bettorId, { bettorId }, WAIT)).body.step).toBe('IDENTIFIED');

    const revoking = uniqueId('bettor');
    await post('/v1/identifications', revoking, { bettorId: revoking });
    await post(`/v1/identifications/${revoking}/consent`, uniqueId('step'), {
      accepted: true,
      agreementVersion: '2024-11',
    });
    const revoked = await post(`/v1/identifications/${revoking}/consent-revocation`, uniqueId('step'), {
      source: 'APP',
    });
    expect(revoked.status).toBe(200);
    const final = await eventually(async () => {
      const got = await http('GET', `/v1/identifications/${revoking}`);
      return got.body.step === 'REFUSED' && got;
    });
    expect(final.body.refusal.reason).toBe('CONSENT_REVOKED');
  });

  it('starts a migration from a table and answers its progress; the same id with another body is 409', async () => {
    const migrationId = uniqueId('mig');
    const table = `api_mig_${migrationId.replace(/-/g, '_')}`;
    await stack.pool.query(`CREATE TABLE ${table} (LIKE migration_bettors INCLUDING ALL)`);
    const body = { migrationId, source: { kind: 'table', table } };
    const started = await post('/v1/migrations', migrationId, body, WAIT);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ migrationId, status: 'COMPLETED', settled: 0 });
    expect((await http('GET', `/v1/migrations/${migrationId}`)).body.status).toBe('COMPLETED');
    expect((await post('/v1/migrations', migrationId, body)).headers.get('idempotent-replayed')).toBe('true');
    expect((await post('/v1/migrations', migrationId, { ...body, concurrency: 2 })).body.errorType).toBe(
      'IdempotencyConflict',
    );
    const csv = await post('/v1/migrations', migrationId, {
      migrationId,
      source: { kind: 'csv', path: '/etc/passwd' },
    });
    expect(csv.status).toBe(422);
    expect(csv.body.errors[0].field).toMatch(/^source/);
  });

  it('opens an incident, amends its card, refuses to submit an incomplete card, and closes it', async () => {
    const incidentId = uniqueId('INC');
    const path = `/v1/incidents/${incidentId}`;
    const opened = await post('/v1/incidents', incidentId, { incidentId, card: draftCard(new Date().toISOString()) });
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe(path);
    expect(opened.body).toMatchObject({ incidentId, status: 'OPEN', openedBy: 'it-full' });
    expect(
      (await post('/v1/incidents', incidentId, { incidentId, card: draftCard(new Date().toISOString()) })).status,
    ).toBe(409);
    const amended = await post(`${path}/amendments`, uniqueId('step'), {
      patch: { symptoms: 'Many failed sign-ins from one address' },
    });
    expect(amended.body.version).toBe(2);
    const submit = await post(`${path}/submission`, uniqueId('step'), {});
    expect(submit.status).toBe(409);
    expect(submit.body.errorType).toBe('IncidentCardIncomplete');
    const closed = await post(`${path}/closure`, uniqueId('step'), { note: 'test over' });
    expect([200, 409]).toContain(closed.status);
    expect((await http('GET', path)).body.incidentId).toBe(incidentId);
  });

  it('limits each key’s requests per minute', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await http('GET', '/v1/deposits/none', { key: API_KEYS.slow }));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([404, 404, 404]);
    expect(answers[3]!.status).toBe(429);
    expect(answers[3]!.body.type).toBe('urn:esu-bridge:problem:rate-limited');
    expect(answers[3]!.headers.get('retry-after')).toBeTruthy();
  });
});
