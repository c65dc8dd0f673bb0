import { z } from 'zod';
import { Iin } from '../domain/iin.js';
import { RefundRequest, WalletTransferRequest, type WalletTransfer } from '../domain/wire/nomapay.js';
import { Listings, type NomapayStatementEntry } from '../domain/wire/listings.js';
import { found, HttpError, mutation, parseBody, reading, requireKeyIs, type Route, settingRoute } from './http.js';
import { dayListing } from './listing.js';

/**
 * Nomapay's wallet API as a simulator: bettors' identified e-wallets, transfers to and from the
 * bookmaker, refunds (the ESU integration plan, items 5, 11, 14). For convenience an unknown IIN gets an identified wallet
 * holding `defaultWalletBalanceTiyn` on first use; tests set wallets explicitly through /__admin/wallets.
 */
const WalletSetting = z.object({
  iin: Iin,
  balanceTiyn: z.number().int().nonnegative(),
  identified: z.boolean().default(true),
  blocked: z.boolean().default(false),
});
type Wallet = z.infer<typeof WalletSetting>;

export function createNomapaySimulator({ defaultWalletBalanceTiyn = 100_000_000, now = () => new Date() } = {}) {
  const wallets = new Map<string, Wallet>();
  const transfers = new Map<string, WalletTransfer>();
  /** The day's statement: every transfer completed or refunded that day, with its status now. */
  const statement = dayListing<NomapayStatementEntry, WalletTransfer>({
    listing: Listings.NOMAPAY,
    holds: transfers,
    alsoAt: (e) => e.refundedAt,
    statuses: ['COMPLETED', 'REFUNDED'],
    alter: (transfer, change) => {
      if (change.amountTiyn !== undefined) transfer.amountTiyn = change.amountTiyn;
      if (change.status === 'REFUNDED' || change.status === 'COMPLETED') {
        transfer.status = change.status;
        if (change.status === 'REFUNDED') transfer.refundedAt ??= now().toISOString();
      }
    },
  });

  function wallet(iin: string): Wallet {
    let found = wallets.get(iin);
    if (!found) {
      found = { iin, balanceTiyn: defaultWalletBalanceTiyn, identified: true, blocked: false };
      wallets.set(iin, found);
    }
    return found;
  }

  const routes: Route[] = [
    mutation('/v1/transfers', WalletTransferRequest, (request, { idempotencyKey, applied }) => {
      requireKeyIs('transferId', idempotencyKey, request.transferId);
      if (transfers.has(request.transferId))
        throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', `transfer ${request.transferId} exists with another body`);
      const w = wallet(request.iin);
      if (w.blocked) throw new HttpError(422, 'WALLET_BLOCKED', 'the wallet is blocked');
      if (!w.identified) throw new HttpError(422, 'WALLET_NOT_IDENTIFIED', 'the wallet holder is not identified');
      if (request.direction === 'BETTOR_TO_BOOKMAKER') {
        if (w.balanceTiyn < request.amountTiyn)
          throw new HttpError(422, 'INSUFFICIENT_FUNDS', 'not enough money in the wallet');
        w.balanceTiyn -= request.amountTiyn;
      } else {
        w.balanceTiyn += request.amountTiyn;
      }
      const transfer = { ...request, status: 'COMPLETED' as const, completedAt: now().toISOString() };
      transfers.set(request.transferId, transfer);
      applied(request.transferId);
      return { status: 201, body: transfer };
    }),
    statement.route,
    reading('/v1/transfers/:transferId', ({ params }) =>
      found(transfers.get(params.transferId!), `transfer ${params.transferId} does not exist`),
    ),
    {
      method: 'POST',
      path: '/v1/transfers/:transferId/refund',
      idempotent: true,
      handle: ({ params, body, applied }) => {
        parseBody(RefundRequest, body);
        const transfer = found(transfers.get(params.transferId!), `transfer ${params.transferId} does not exist`);
        if (transfer.status === 'COMPLETED') {
          const w = wallet(transfer.iin);
          w.balanceTiyn += transfer.direction === 'BETTOR_TO_BOOKMAKER' ? transfer.amountTiyn : -transfer.amountTiyn;
          transfer.status = 'REFUNDED';
          transfer.refundedAt = now().toISOString();
          applied(`${transfer.transferId}:refund`);
        }
        return { status: 200, body: transfer };
      },
    },
  ];

  const adminRoutes: Route[] = [
    settingRoute('/__admin/wallets', WalletSetting, (setting) => wallets.set(setting.iin, setting)),
    reading('/__admin/wallets/:iin', ({ params }) => wallet(params.iin!)),
    ...statement.adminRoutes,
  ];

  return {
    routes,
    adminRoutes,
    reset() {
      wallets.clear();
      transfers.clear();
      statement.reset();
    },
  };
}
