import { ErrorType } from '../domain/errors.js';
import { WalletTransfer, type WalletTransferRequest } from '../domain/wire/nomapay.js';
import { stepKey } from '../domain/ids.js';
import { currentAttempt, type CounterpartClient } from './http.js';

/**
 * Nomapay wallet connector: money moves between the bettor's identified e-wallet and the bookmaker
 * (seed 000 items 5, 11, 14). The transfer id is the operation's idempotency key at Nomapay.
 */
export function createNomapayActivities({ nomapay }: { nomapay: CounterpartClient }) {
  const transferPath = (id: string) => `/v1/transfers/${encodeURIComponent(id)}`;

  return {
    /**
     * Moves money between wallet and bookmaker. A retry first asks for the transfer's status, so a transfer
     * whose answer was lost is never sent blind a second time.
     */
    async transferWallet(request: WalletTransferRequest): Promise<WalletTransfer> {
      if (currentAttempt() > 1) {
        const existing = await nomapay.get(transferPath(request.transferId), WalletTransfer);
        if (existing) return existing;
      }
      return nomapay.post('/v1/transfers', request, request.transferId, WalletTransfer, ErrorType.WalletRejected);
    },

    /**
     * Compensation: gives a transfer's money back. Idempotent, and a transfer Nomapay never saw is
     * "nothing to undo" (its compensation is pushed before the call whose outcome may be unknown).
     */
    async refundWalletTransfer({ transferId, reason }: { transferId: string; reason: string }): Promise<'REFUNDED' | 'NOTHING_TO_UNDO'> {
      const existing = await nomapay.get(transferPath(transferId), WalletTransfer);
      if (!existing) return 'NOTHING_TO_UNDO';
      if (existing.status === 'REFUNDED') return 'REFUNDED';
      await nomapay.post(`${transferPath(transferId)}/refund`, { reason }, stepKey(transferId, 'refund'), WalletTransfer, ErrorType.WalletRejected);
      return 'REFUNDED';
    },
  };
}

export type NomapayActivities = ReturnType<typeof createNomapayActivities>;
