import { ApplicationFailure, log } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import { WalletTransfer, type WalletTransferDone, type WalletTransferRequest } from '../domain/wire/nomapay.js';
import { stepKey } from '../domain/ids.js';
import { currentAttempt, differingField, type CounterpartClient } from './http.js';

/** What a saga knows of the transfer it made: a status query or a refund touches only a transfer that matches it. */
export type ExpectedTransfer = Pick<WalletTransferRequest, 'iin' | 'direction' | 'amountTiyn'>;

const TRANSFER_FIELDS = ['direction', 'amountTiyn', 'iin'] as const;

const withoutHolder = ({ iin: _iin, ...transfer }: WalletTransfer): WalletTransferDone => transfer;

/**
 * Nomapay wallet connector: money moves between the bettor's identified e-wallet and the bookmaker
 * (the ESU integration plan, items 5, 11, 14). The transfer id is the operation's idempotency key at Nomapay, derived from
 * the operation's kind and id (`dep-X`, `pay-X`: domain/ids.ts counterpartOperationId).
 */
export function createNomapayActivities({ nomapay }: { nomapay: CounterpartClient }) {
  const transferPath = (id: string) => `/v1/transfers/${encodeURIComponent(id)}`;

  /** Refuses a transfer that is not the one this request made: its answer would be another operation's money. */
  function ours(found: WalletTransfer, request: ExpectedTransfer & { transferId: string }): WalletTransferDone {
    const field = differingField(found, request, TRANSFER_FIELDS);
    if (field) {
      throw ApplicationFailure.create({
        message: `Nomapay holds transfer ${request.transferId} for another operation (its ${field} differs): nothing was moved for this one`,
        type: ErrorType.IdempotencyConflict,
        nonRetryable: true,
        details: [{ transferId: request.transferId, field }],
      });
    }
    return withoutHolder(found);
  }

  return {
    /**
     * Moves money between wallet and bookmaker. A retry first asks for the transfer's status, so a transfer
     * whose answer was lost is never sent blind a second time; what it finds must be this transfer.
     */
    async transferWallet(request: WalletTransferRequest): Promise<WalletTransferDone> {
      if (currentAttempt() > 1) {
        const existing = await nomapay.get(transferPath(request.transferId), WalletTransfer);
        if (existing) return ours(existing, request);
      }
      const made = await nomapay.post(
        '/v1/transfers',
        request,
        request.transferId,
        WalletTransfer,
        ErrorType.WalletRejected,
      );
      return ours(made, request);
    },

    /**
     * Compensation: gives a transfer's money back. Idempotent, and a transfer Nomapay never saw is
     * "nothing to undo" (its compensation is pushed before the call whose outcome may be unknown). With
     * `expected`, a transfer under this id that another operation made is not ours to refund: NOT_OURS,
     * nothing moves. Runs recorded before counterpart ids were derived per kind pass no `expected`.
     */
    async refundWalletTransfer({
      transferId,
      reason,
      expected,
    }: {
      transferId: string;
      reason: string;
      expected?: ExpectedTransfer;
    }): Promise<'REFUNDED' | 'NOTHING_TO_UNDO' | 'NOT_OURS'> {
      const existing = await nomapay.get(transferPath(transferId), WalletTransfer);
      if (!existing) return 'NOTHING_TO_UNDO';
      const field = expected ? differingField(existing, expected, TRANSFER_FIELDS) : undefined;
      if (field) {
        log.warn('refund skipped: the transfer under this id is another operation’s', { transferId, field });
        return 'NOT_OURS';
      }
      if (existing.status === 'REFUNDED') return 'REFUNDED';
      await nomapay.post(
        `${transferPath(transferId)}/refund`,
        { reason },
        stepKey(transferId, 'refund'),
        WalletTransfer,
        ErrorType.WalletRejected,
      );
      return 'REFUNDED';
    },
  };
}

export type NomapayActivities = ReturnType<typeof createNomapayActivities>;
