import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CounterpartClient } from '../../activities/http.js';
import { createIncidentDeliveryActivities, signIncidentCard, verifyIncidentCard, type DeliverIncidentCard } from '../../activities/incident-delivery.js';
import { DEV_INCIDENT_SIGNING_KEY } from '../../config/console.js';
import { ErrorType } from '../../domain/errors.js';
import type { IncidentCardMessage } from '../../domain/wire/incident.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { completeCard } from '../support/incident-card.js';
import { uniqueId } from '../support/ids.js';

let sims: RunningSimulators;
let esu: CounterpartClient;
let nomapay: CounterpartClient;
const signingKey = { keyId: 'dev-incident-key', key: DEV_INCIDENT_SIGNING_KEY };

beforeAll(async () => {
  sims = await startSimulators({ esu: { port: 0, apiKey: 'k-esu' }, nomapay: { port: 0, apiKey: 'k-np' } });
  esu = new CounterpartClient({ counterpart: 'esu', baseUrl: sims.esu.url, apiKey: 'k-esu', timeoutMs: 2_000 });
  nomapay = new CounterpartClient({ counterpart: 'nomapay', baseUrl: sims.nomapay.url, apiKey: 'k-np', timeoutMs: 2_000 });
});
afterAll(async () => {
  await Promise.all([esu?.close(), nomapay?.close()]);
  await sims?.close();
});

const run = <R>(fn: () => Promise<R>): Promise<R> => new MockActivityEnvironment().run(fn) as Promise<R>;
const received = async (url: string) => (await (await fetch(new URL('/__admin/incident-cards', url))).json()) as IncidentCardMessage[];

function request(receiver: DeliverIncidentCard['receiver'], incidentId = uniqueId('inc')): DeliverIncidentCard {
  return { receiver, incidentId, version: 1, phase: 'INITIAL', sentAt: '2026-03-10T04:00:00.000Z', card: completeCard('2026-03-10T02:15:00+05:00') };
}

describe('incident card delivery', () => {
  it('delivers a signed card to the operator and to ЦМААИ, each acknowledging with the message id', async () => {
    const { deliverIncidentCard } = createIncidentDeliveryActivities({ receivers: { esu, nomapay }, signingKey, sender: 'bookmaker-1' });
    const incidentId = uniqueId('inc');
    const [toNomapay, toEsu] = await Promise.all([run(() => deliverIncidentCard(request('nomapay', incidentId))), run(() => deliverIncidentCard(request('esu', incidentId)))]);
    expect(toNomapay.messageId).toBe(`${incidentId}.v1.nomapay`);
    expect(toEsu.messageId).toBe(`${incidentId}.v1.esu`);
    expect(Date.parse(toEsu.receivedAt)).toBeGreaterThanOrEqual(Date.parse(toEsu.sentAt));
    const atEsu = (await received(sims.esu.url)).find((m) => m.incidentId === incidentId)!;
    expect(atEsu).toMatchObject({ sender: 'bookmaker-1', phase: 'INITIAL', version: 1 });
    expect(verifyIncidentCard(atEsu, new Map([[signingKey.keyId, signingKey.key]]))).toBe(true);
  });

  it('files once however often the same version is retried', async () => {
    const { deliverIncidentCard } = createIncidentDeliveryActivities({ receivers: { esu, nomapay }, signingKey, sender: 'bookmaker-1' });
    const req = request('nomapay');
    const first = await run(() => deliverIncidentCard(req));
    const again = await run(() => deliverIncidentCard(req));
    expect(again.acceptedAt).toBe(first.acceptedAt);
    expect((await received(sims.nomapay.url)).filter((m) => m.incidentId === req.incidentId)).toHaveLength(1);
  });

  it('is refused, not retried, when the signature does not verify', async () => {
    const wrongKey = createIncidentDeliveryActivities({ receivers: { esu, nomapay }, signingKey: { keyId: 'dev-incident-key', key: 'not-the-shared-key-at-all' }, sender: 'bookmaker-1' });
    const err = await run(() => wrongKey.deliverIncidentCard(request('esu'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(ErrorType.IncidentCardRejected);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toContain('SIGNATURE_INVALID');
  });

  it('signs over every field: a changed row breaks the signature', () => {
    const signed = signIncidentCard({ messageId: 'm', incidentId: 'i', version: 1, phase: 'INITIAL', sender: 's', sentAt: '2026-03-10T04:00:00.000Z', card: completeCard('2026-03-10T02:15:00+05:00') }, signingKey);
    const keys = new Map([[signingKey.keyId, signingKey.key]]);
    expect(verifyIncidentCard(signed, keys)).toBe(true);
    expect(verifyIncidentCard({ ...signed, card: { ...signed.card, symptoms: 'nothing happened' } }, keys)).toBe(false);
  });
});
