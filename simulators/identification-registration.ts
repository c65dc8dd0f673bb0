import { ageOn } from '../domain/iin.js';
import {
  EsuBettorRegistrationRequest,
  OpenWalletRequest,
  type EsuBettorRegistration,
  type IdentifiedWallet,
} from '../domain/wire/identification.js';
import { HttpError, mutation, type Route } from './http.js';

/**
 * What follows a successful identification, as simulators: the bettor register at ESU (which refuses
 * people under 21) and the identified e-wallet at Nomapay. Both are idempotent by business id: a second
 * registration of the same bettor answers the first one, so a re-run of an identification never
 * registers twice. The wallet register is its own (the wallet simulator already serves every IIN).
 */
export function createRegistrationSimulators(now: () => Date = () => new Date()) {
  const bettors = new Map<string, EsuBettorRegistration & { iin: string }>();
  const wallets = new Map<string, IdentifiedWallet & { iin: string }>();

  const esuRoutes: Route[] = [
    mutation('/v1/bettors', EsuBettorRegistrationRequest, (r, { applied }) => {
      const existing = bettors.get(r.registrationId);
      if (existing) {
        if (existing.iin !== r.iin)
          throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', `bettor ${r.registrationId} is registered with another IIN`);
        return {
          status: 200,
          body: { registrationId: existing.registrationId, registeredAt: existing.registeredAt },
        };
      }
      const age = ageOn(r.iin, now());
      if (age !== undefined && age < 21)
        throw new HttpError(422, 'BETTOR_RESTRICTED', 'bettor is restricted: UNDER_21');
      const registration = { registrationId: r.registrationId, registeredAt: now().toISOString() };
      bettors.set(r.registrationId, { ...registration, iin: r.iin });
      applied(`bettor:${r.registrationId}`);
      return { status: 201, body: registration };
    }),
  ];

  const nomapayRoutes: Route[] = [
    mutation('/v1/wallets', OpenWalletRequest, (r, { applied }) => {
      const existing = wallets.get(r.walletId);
      if (existing) {
        if (existing.iin !== r.iin)
          throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', `wallet ${r.walletId} belongs to another IIN`);
        return {
          status: 200,
          body: { walletId: existing.walletId, status: existing.status, openedAt: existing.openedAt },
        };
      }
      const wallet = { walletId: r.walletId, status: 'IDENTIFIED' as const, openedAt: now().toISOString() };
      wallets.set(r.walletId, { ...wallet, iin: r.iin });
      applied(`wallet:${r.walletId}`);
      return { status: 201, body: wallet };
    }),
  ];

  const esuAdminRoutes: Route[] = [
    {
      method: 'GET',
      path: '/__admin/bettors',
      handle: () => ({ status: 200, body: [...bettors.values()].map(({ iin: _iin, ...b }) => b) }),
    },
  ];

  return {
    esuRoutes,
    esuAdminRoutes,
    nomapayRoutes,
    reset() {
      bettors.clear();
      wallets.clear();
    },
  };
}
