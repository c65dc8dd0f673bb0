import { describe, expect, it, vi } from 'vitest';
import type { Client } from '@temporalio/client';
import { createEsuBridgeClient } from '../../client/index.js';
import { encryptionCodecFromEnv } from '../../codec/encryption.js';
import { InvalidRequestError } from '../../client/errors.js';
import { DepositRequest } from '../../domain/deposit.js';
import { IncidentCard } from '../../domain/incident.js';
import { born } from '../support/ids.js';
import { completeCard } from '../support/incident-card.js';
import { rejectedWith } from '../support/unit-errors.js';
import { betRequest, depositRequest, payoutRequest } from '../support/unit-requests.js';

/** A Temporal client whose starts are recorded: a refused request must never reach it. */
function fakeClient() {
  const start = vi.fn(async (_workflow: unknown, options: { workflowId: string }) => ({
    workflowId: options.workflowId,
  }));
  const options = { loadedDataConverter: { payloadCodecs: [encryptionCodecFromEnv({})] } };
  return { client: { options, workflow: { start, getHandle: vi.fn() } } as unknown as Client, start };
}

const refusal = (promise: Promise<unknown>) => rejectedWith(InvalidRequestError, promise);

describe('InvalidRequestError.fromZod', () => {
  it('names each unknown field, nested ones by their path', () => {
    const top = DepositRequest.safeParse(depositRequest({ bonusTiyn: 5, promo: 'x' }));
    const err = InvalidRequestError.fromZod('deposit', top.error!);
    expect(err.issues).toEqual([
      { field: 'bonusTiyn', message: 'unknown field' },
      { field: 'promo', message: 'unknown field' },
    ]);
    expect(err.message).toBe('deposit: bonusTiyn: unknown field; promo: unknown field');

    const card = completeCard('2026-03-10T09:00:00+05:00');
    const nested = IncidentCard.safeParse({ ...card, place: { ...card.place, floor: 3 } });
    expect(InvalidRequestError.fromZod('openIncident', nested.error!).issues).toEqual([
      { field: 'place.floor', message: 'unknown field' },
    ]);
  });
});

describe('the client refuses before anything starts', () => {
  const options = { taskQueue: 'q', bettorRefKey: 'client-test-bettor-ref-key' };
  /** A client over a fake Temporal, on today's date unless `now` says otherwise, and the starts it records. */
  function bridgeWith(now?: () => Date) {
    const { client, start } = fakeClient();
    return { bridge: createEsuBridgeClient({ client, ...options, ...(now && { now }) }), start };
  }

  it('a deposit or bet with a field the request does not have', async () => {
    const { bridge, start } = bridgeWith();
    const err = await refusal(bridge.startDeposit(depositRequest({ bettorRef: 'f'.repeat(64) })));
    expect(err.issues).toEqual([{ field: 'bettorRef', message: 'unknown field' }]);
    expect(start).not.toHaveBeenCalled();
  });

  it('free text with a bidi override, naming the field and the character', async () => {
    const { bridge, start } = bridgeWith();
    const err = await refusal(bridge.startBet(betRequest({ outcome: 'HOME\u202E' })));
    expect(err.message).toBe(
      'bet: outcome: must not contain control or bidirectional formatting characters (U+202E at 4)',
    );
    expect(start).not.toHaveBeenCalled();
  });

  it('an incident detected in the future, naming card.detectedAt', async () => {
    const { bridge, start } = bridgeWith();
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString();
    const err = await refusal(bridge.openIncident({ card: completeCard(tomorrow), openedBy: 'ops' }));
    expect(err.issues).toEqual([
      { field: 'card.detectedAt', message: expect.stringMatching(/^must not be in the future/) },
    ]);
    expect(start).not.toHaveBeenCalled();
    await bridge.openIncident({ card: completeCard(new Date(Date.now() - 3600_000).toISOString()), openedBy: 'ops' });
    expect(start).toHaveBeenCalledOnce();
  });

  it('a bettor under 21 on today’s Kazakhstan date, at deposit and at bet, as BettorUnderage on iin', async () => {
    const iin = born('051122', '6'); // 21 on 2026-11-22, local midnight = 2026-11-21T19:00Z
    const eve = bridgeWith(() => new Date('2026-11-21T18:59:00Z')).bridge;
    const deposit = await refusal(eve.startDeposit(depositRequest({ iin })));
    expect(deposit.issues).toEqual([
      { field: 'iin', message: 'the bettor must be at least 21 years old to deposit or bet', type: 'BettorUnderage' },
    ]);
    expect(deposit.message).not.toContain(iin);
    const bet = await refusal(eve.startBet(betRequest({ iin })));
    expect(bet.issues[0]?.type).toBe('BettorUnderage');

    const { bridge: birthday, start } = bridgeWith(() => new Date('2026-11-21T19:00:00Z'));
    await birthday.startDeposit(depositRequest({ depositId: 'dep-2', iin }));
    await birthday.startBet(betRequest({ betId: 'bet-2', iin }));
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('an IIN whose 7th digit names no person', async () => {
    const { bridge, start } = bridgeWith();
    const err = await refusal(bridge.startDeposit(depositRequest({ iin: born('900517', '8') })));
    expect(err.issues).toEqual([
      { field: 'iin', message: "IIN's 7th digit must be 1–6 (the century of birth and sex of a person)" },
    ]);
    expect(start).not.toHaveBeenCalled();
  });

  it('lets a payout through for a bettor under 21: the age limit bars betting, not taking one’s balance back', async () => {
    const { bridge, start } = bridgeWith(() => new Date('2026-01-01T00:00:00Z'));
    await bridge.startPayout(payoutRequest({ iin: born('080101', '6') }));
    expect(start).toHaveBeenCalledTimes(1);
  });
});
