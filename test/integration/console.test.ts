import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { bettorRef } from '../../client/bettor-ref.js';
import { isoWithOffset } from '../../domain/incident.js';
import { TEST_BETTOR_REF_KEY } from '../support/stack.js';
import { session, startConsoleStack, type ConsoleStack, type Session } from '../support/console.js';
import { completeCard } from '../support/incident-card.js';
import { adultIin, uniqueId } from '../support/ids.js';

let stack: ConsoleStack;
let officer: Session;
let admin: Session;
let auditor: Session;

beforeAll(async () => {
  stack = await startConsoleStack();
  [officer, admin, auditor] = await stack.signIn('aigerim', 'daniyar', 'saule');
});

afterAll(async () => {
  await stack?.stop();
});

const KZ = 300;
const hoursAgo = (h: number) => isoWithOffset(Date.now() - h * 3600_000, KZ);
const journalOf = async (recordId: string) =>
  (
    await stack.pool.query(
      'SELECT event, actor, result, details FROM journal WHERE record_id = $1 ORDER BY chain_seq',
      [recordId],
    )
  ).rows;

describe('compliance console: sign-in and roles', () => {
  it('refuses anyone not signed in, and journals a failed sign-in', async () => {
    expect((await session(stack.consoleUrl).get('/api/inboxes/incidents')).status).toBe(401);
    const wrong = await fetch(new URL('/api/login', stack.consoleUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'aigerim', password: 'guess' }),
    });
    expect(wrong.status).toBe(401);
    const attempts = await journalOf('user:aigerim');
    expect(attempts.at(-1)).toMatchObject({ event: 'console.signed-in', actor: 'aigerim', result: 'REFUSED' });
  });

  it('lets an auditor read but not act, and journals the refusal', async () => {
    const refused = await auditor.post('/api/incidents', {
      card: { name: 'should not open', detectedAt: hoursAgo(1) },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const { rows } = await stack.pool.query(
      `SELECT result, details FROM journal WHERE actor = 'saule' AND event = 'console.incident-opened' ORDER BY chain_seq DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({ result: 'REFUSED' });
    expect((await auditor.get('/api/inboxes/incidents')).status).toBe(200);
  });

  it('answers /healthz and /readyz without a sign-in: alive, and ready with PostgreSQL answering', async () => {
    const live = await fetch(new URL('/healthz', stack.consoleUrl));
    expect([live.status, await live.json()]).toEqual([200, { status: 'UP' }]);
    const ready = await fetch(new URL('/readyz', stack.consoleUrl));
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'READY', checks: { postgresql: 'UP' } }]);
  });

  it('accepts HTTP Basic for scripts', async () => {
    const basic = session(stack.consoleUrl, {
      authorization: `Basic ${Buffer.from('daniyar:admin-pw').toString('base64')}`,
    });
    expect((await basic.get('/api/me')).body).toMatchObject({
      login: 'daniyar',
      role: 'admin',
      permissions: ['read', 'act', 'assign-others', 'maintenance', 'decode-payloads'],
    });
  });

  it('lets an officer take an item, and only an administrator hand it to someone else', async () => {
    const opened = await officer.post('/api/incidents', {
      card: { name: 'Unknown device on the cash-desk VLAN', detectedAt: hoursAgo(2) },
    });
    const id = opened.body.incidentId as string;
    expect((await officer.post(`/api/inboxes/incidents/${id}/assign`, { assignee: 'erlan' })).status).toBe(403);
    expect((await officer.post(`/api/inboxes/incidents/${id}/assign`, { assignee: 'aigerim' })).body.assignee).toBe(
      'aigerim',
    );
    expect((await admin.post(`/api/inboxes/incidents/${id}/assign`, { assignee: 'erlan' })).body.assignee).toBe(
      'erlan',
    );
    expect((await admin.post(`/api/inboxes/incidents/${id}/assign`, { assignee: 'saule' })).status).toBe(400); // auditors take no items
    // Other files share the database (and assign to erlan too): erlan's list holds this item and only erlan's.
    const mine = await officer.get('/api/inboxes/incidents?assignee=erlan');
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(mine.body.items.every((i: { assignee: string }) => i.assignee === 'erlan')).toBe(true);
  });
});

describe('compliance console: incident cards', () => {
  it('opens a draft, refuses to submit it naming the missing rows, and submits it once amended', async () => {
    const detectedAt = hoursAgo(30);
    const opened = await officer.post('/api/incidents', { card: { name: 'Phishing e-mails to cashiers', detectedAt } });
    expect(opened.status).toBe(200);
    const id = opened.body.incidentId as string;

    const early = await officer.post(`/api/incidents/${id}/submit`);
    expect(early.status).toBe(409);
    expect(early.body.error.details.type).toBe('IncidentCardIncomplete');
    expect(early.body.error.message).toContain('row 6 symptoms: required');

    const { name: _n, detectedAt: _d, ...rest } = completeCard(detectedAt);
    const amended = await officer.post(`/api/incidents/${id}/amend`, { patch: rest });
    expect(amended.body).toMatchObject({ version: 2, problems: [] });

    const item = await officer.get(`/api/inboxes/incidents/${id}`);
    expect(item.body.actions).toContain('submit');
    expect(Date.parse(item.body.dueAt) - Date.parse(detectedAt)).toBe(48 * 3600_000);
    expect((await auditor.get(`/api/inboxes/incidents/${id}`)).body.actions).toEqual([]);

    const submitted = await officer.post(`/api/incidents/${id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', timeliness: 'ON_TIME' });
    expect(Object.keys(submitted.body.submissions[0].receipts).sort()).toEqual(['esu', 'nomapay']);
    for (const sim of [stack.simulators.esu, stack.simulators.nomapay]) {
      const cards = (await (await fetch(new URL('/__admin/incident-cards', sim.url))).json()) as {
        incidentId: string;
        card: { symptoms: string };
      }[];
      expect(cards.filter((c) => c.incidentId === id).map((c) => c.card.symptoms)).toEqual([rest.symptoms]);
    }

    // The item's timeline is its journal: the workflow's steps and the console actions, by whom.
    const events = (await officer.get(`/api/inboxes/incidents/${id}`)).body.timeline.map(
      (t: { event: string; actor: string }) => `${t.event} ${t.actor}`,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'incident.opened aigerim',
        'console.incident-submitted aigerim',
        'incident.card-delivered system',
        'incident.amended aigerim',
      ]),
    );
    const row = await stack.pool.query(
      "SELECT status, timeliness, retain_until > now() + interval '4 years' AS kept FROM incidents WHERE incident_id = $1",
      [id],
    );
    expect(row.rows[0]).toEqual({ status: 'SUBMITTED', timeliness: 'ON_TIME', kept: true });
  });

  it('filters the inbox by status, counterpart and detection date', async () => {
    const escalatedId = uniqueId('INC-old');
    const escalated = await stack.esuBridge.openIncident({
      incidentId: escalatedId,
      card: completeCard(hoursAgo(49)),
      openedBy: 'ops',
    });
    await escalated.status();
    // The day it was detected on in Almaty, not "today": half an hour after midnight they differ.
    const detectedAt = hoursAgo(0.5);
    const detectedDay = detectedAt.slice(0, 10);
    const detected = await stack.esuBridge.openIncident({
      card: { name: 'nomapay unreachable for 20 minutes', detectedAt },
      openedBy: 'detector:counterpart-unreachable',
      origin: { kind: 'DETECTOR', detector: 'counterpart-unreachable', counterpart: 'nomapay' },
    });
    await detected.status();

    // The inbox reads the incident journal, which the workflow writes from an activity: it catches up.
    const items = async (q: string) => (await officer.get(`/api/inboxes/incidents?${q}`)).body.items;
    const ids = async (q: string) => (await items(q)).map((i: { id: string }) => i.id);
    await expect.poll(() => ids('counterpart=nomapay'), { timeout: 10_000 }).toContain(detected.incidentId);
    expect(
      (await items('counterpart=nomapay')).every((i: { counterpart: string }) => i.counterpart === 'nomapay'),
    ).toBe(true);
    await expect.poll(() => ids('status=ESCALATED'), { timeout: 10_000 }).toContain(escalatedId);
    expect(await ids(`from=${detectedDay}&to=${detectedDay}`)).toContain(detected.incidentId);
    expect(await ids(`from=${detectedDay}&to=${detectedDay}`)).not.toContain(escalatedId); // detected two days before
    expect((await officer.get('/api/inboxes/incidents?status=nope')).status).toBe(400);
  });

  it('takes a bettor as an IIN and journals the search with the keyed reference only', async () => {
    const iin = adultIin();
    const res = await officer.post('/api/inboxes/incidents/search', { bettor: iin });
    expect(res.body.items).toEqual([]);
    const { rows } = await stack.pool.query(
      `SELECT details FROM journal WHERE actor = 'aigerim' AND event = 'console.inbox-searched' ORDER BY chain_seq DESC LIMIT 1`,
    );
    expect(rows[0].details.bettor).toBe(bettorRef(iin, TEST_BETTOR_REF_KEY));
    expect(JSON.stringify(rows[0])).not.toContain(iin);
  });
});

describe('compliance console: other inboxes', () => {
  it('lists identification cases awaiting offline review with their due time', async () => {
    const bettorId = uniqueId('bettor');
    await stack.pool.query(
      `INSERT INTO bettor_identifications (bettor_id, bettor_ref, workflow_id, status, step, reason) VALUES ($1, $2, $3, 'IN_REVIEW', 'OFFLINE_REVIEW', 'biometric verification failed 3 times')`,
      [bettorId, 'b'.repeat(64), `Identification:${bettorId}`],
    );
    const reviews = await officer.get('/api/inboxes/reviews');
    const item = reviews.body.items.find((i: { id: string }) => i.id === bettorId);
    expect(item).toMatchObject({ status: 'IN_REVIEW', bettorRef: 'b'.repeat(64) });
    expect(Date.parse(item.dueAt) - Date.parse(item.createdAt)).toBe(72 * 3600_000);
    expect((await officer.get(`/api/inboxes/reviews/${bettorId}`)).body).toMatchObject({
      reason: 'biometric verification failed 3 times',
      actions: ['approve', 'refuse', 'assign'],
    });
  });

  it('lists rejected and failed submissions only, and refuses to retry an unknown one', async () => {
    const page = await officer.get('/api/inboxes/submissions');
    expect(page.status).toBe(200);
    expect(page.body.items.every((i: { status: string }) => ['REJECTED', 'FAILED'].includes(i.status))).toBe(true);
    const unknown = await officer.post('/api/submissions/afm-no-such-deposit/retry');
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.body.error.message).toMatch(/afm-no-such-deposit/);
  });
});

describe('compliance console: availability and the Temporal UI codec', () => {
  it('computes the index from the worker’s own observations; only an administrator records maintenance', async () => {
    await stack.esuBridge.deposit({ depositId: uniqueId('dep'), iin: adultIin(), amountTiyn: 10_000, currency: 'KZT' });
    await expect
      .poll(
        async () =>
          (await officer.get('/api/availability')).body.counterparts.find(
            (c: { counterpart: string }) => c.counterpart === 'esu',
          )?.periods['24h'].observedMinutes,
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    const window = {
      counterpart: 'esu',
      startsAt: isoWithOffset(Date.now() + 14 * 86_400_000, KZ),
      endsAt: isoWithOffset(Date.now() + 14 * 86_400_000 + 3600_000, KZ),
      note: 'ESU release',
    };
    expect((await officer.post('/api/maintenance', window)).status).toBe(403);
    expect((await admin.post('/api/maintenance', window)).status).toBe(200);
    const report = await auditor.get('/api/availability');
    expect(report.body.maintenance.map((m: { note: string }) => m.note)).toContain('ESU release');
  });

  it('decodes payloads for officers with the IIN masked as the console shows bettors, never for auditors or anyone not signed in', async () => {
    const codec = encryptionCodecFromEnv(stack.env);
    const iin = adultIin();
    const [encoded] = await codec.encode([
      {
        metadata: { encoding: new TextEncoder().encode('json/plain') },
        data: new TextEncoder().encode(JSON.stringify({ depositId: 'dep-x', iin })),
      },
    ]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(encoded!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(encoded!.data!).toString('base64'),
        },
      ],
    };
    const shortRef = bettorRef(iin, TEST_BETTOR_REF_KEY).slice(0, 16) + '…';
    const decoded = await officer.post('/codec/decode', body);
    expect(decoded.status).toBe(200);
    expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString())).toEqual({
      depositId: 'dep-x',
      iin: shortRef,
    });
    expect(decoded.text).not.toContain(iin);
    const entries = await journalOf('codec:(no namespace)');
    expect(entries.at(-1)).toMatchObject({
      event: 'console.payloads-decoded',
      actor: 'aigerim',
      result: 'OK',
      details: { namespace: null, count: 1, keyIds: { [codec.keyring()[0]!.keyId]: 1 }, bettors: [shortRef] },
    });
    expect((await auditor.post('/codec/decode', body)).status).toBe(403);
    const anonymous = await session(stack.consoleUrl).post('/codec/decode', body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('payloads');
    expect((await officer.post('/codec/decode', { payloads: [{ data: 'not base64!' }] })).body.error).toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/payloads\.0\.data/),
    });
  });
});
