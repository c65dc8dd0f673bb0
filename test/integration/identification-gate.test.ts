import { describe, expect, it } from 'vitest';
import { OperationFailedError } from '../../client/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { identifyBettor } from '../support/identification.js';
import { simAdmin } from '../support/sim-admin.js';
import { stack, useFileStack } from '../support/stack.js';

/**
 * The identification gate as a bookmaker runs it (BETTOR_IDENTIFICATION_REQUIRED=true, the default): no deposit
 * or bet for a bettor until their identification through Nomapay ends IDENTIFIED, and then both go through.
 */
useFileStack({ BETTOR_IDENTIFICATION_REQUIRED: 'true' });

/** Deposits `amountTiyn` KZT for `iin` under a fresh id and expects it to complete. */
async function expectDepositCompleted(idPrefix: string, iin: string, amountTiyn: number) {
  const deposit = await stack.esuBridge.deposit({ depositId: uniqueId(idPrefix), iin, amountTiyn, currency: 'KZT' });
  expect(deposit.status).toBe('COMPLETED');
  return deposit;
}

const identify = (iin: string) => identifyBettor(stack.esuBridge, stack.simulators.nomapay.url, iin);

describe('identification gate', () => {
  it('refuses a deposit and a bet of an unidentified bettor with nothing moved, then takes them once identified', async () => {
    const iin = adultIin();
    const depositId = uniqueId('gate-dep');
    const refused = await stack.esuBridge
      .deposit({ depositId, iin, amountTiyn: 20_000, currency: 'KZT' })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OperationFailedError);
    expect((refused as OperationFailedError).type).toBe('BettorNotIdentified');
    expect(await simAdmin(stack.simulators.nomapay.url).appliedCount(`dep-${depositId}`)).toBe(0);

    const betId = uniqueId('gate-bet');
    const bet = { betId, iin, stakeTiyn: 5_000, currency: 'KZT', eventId: 'kz-cup-3', outcome: 'AWAY', odds: '3.10' };
    const refusedBet = await stack.esuBridge.placeBet(bet).catch((err: unknown) => err);
    expect((refusedBet as OperationFailedError).type).toBe('BettorNotIdentified');
    const esuIds = (await simAdmin(stack.simulators.esu.url).esuOperations()).map((r) => r.request.operationId);
    expect(esuIds).not.toContain(`dep-${depositId}`);
    expect(esuIds).not.toContain(`bet-${betId}`);

    await identify(iin);
    await expectDepositCompleted('gate-dep', iin, 20_000);
    const accepted = await stack.esuBridge.placeBet({ ...bet, betId: uniqueId('gate-bet') });
    expect(accepted.status).toBe('ACCEPTED');
  });

  it('refuses deposits and bets once the bettor revokes consent after being identified, relays it to the registry, and still pays out', async () => {
    const iin = adultIin();
    const id = await identify(iin);
    await expectDepositCompleted('rev-dep', iin, 30_000);

    const revoked = await id.revokeConsent({ source: 'APP' });
    expect(revoked.result).toBe('CONSENT_REVOKED');
    const consentId = revoked.state.consent!.consentId;
    const registry = await fetch(
      new URL(`/v1/identification/consents/${encodeURIComponent(consentId)}`, stack.simulators.nomapay.url),
      {
        headers: { authorization: 'Bearer it-nomapay-key' },
      },
    );
    expect(await registry.json()).toMatchObject({ consentId, status: 'REVOKED' });
    expect((await id.revokeConsent({ source: 'APP' })).message).toMatch(/already revoked/);

    const refused = await stack.esuBridge
      .deposit({ depositId: uniqueId('rev-dep'), iin, amountTiyn: 10_000, currency: 'KZT' })
      .catch((e: unknown) => e);
    expect((refused as OperationFailedError).type).toBe('BettorNotIdentified');
    expect((refused as OperationFailedError).message).toMatch(/revoked consent/);
    const bet = {
      betId: uniqueId('rev-bet'),
      iin,
      stakeTiyn: 5_000,
      currency: 'KZT',
      eventId: 'kz-cup-4',
      outcome: 'HOME',
      odds: '1.90',
    };
    expect(((await stack.esuBridge.placeBet(bet).catch((e: unknown) => e)) as OperationFailedError).type).toBe(
      'BettorNotIdentified',
    );
    // The balance is still the bettor's: a payout does not pass the identification gate.
    const payout = await stack.esuBridge.payout({
      payoutId: uniqueId('rev-pay'),
      iin,
      amountTiyn: 30_000,
      currency: 'KZT',
    });
    expect(payout.status).toBe('COMPLETED');

    const { rows } = await stack.pool.query(
      `SELECT event, actor FROM journal WHERE record_id = $1 AND event IN ('identification.consent-revoked', 'identification.consent-revocation-relayed') ORDER BY id`,
      [revoked.state.bettorId],
    );
    expect(rows).toEqual([
      { event: 'identification.consent-revoked', actor: 'bettor' },
      { event: 'identification.consent-revocation-relayed', actor: 'bettor' },
    ]);
  });
});
