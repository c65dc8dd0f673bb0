import { z } from 'zod';
import { Iin } from '../iin.js';
import { Currency, MoneyFields } from '../money.js';
import { OutboundKey } from '../ids.js';
import { safeText } from '../text.js';
import { IsoDateTime } from './common.js';

/**
 * Nomapay (e-money system operator) wallet contract as esu-bridge speaks it. Deposits and payouts move
 * through the bettor's identified e-wallet (the ESU integration plan, items 5, 11, 14).
 *
 * POST /v1/transfers                 (Idempotency-Key = transferId) → WalletTransfer
 * GET  /v1/transfers/{transferId}                                   → WalletTransfer | 404
 * POST /v1/transfers/{transferId}/refund (Idempotency-Key)          → WalletTransfer (status REFUNDED) | 404
 */
export const TransferDirection = z.enum(['BETTOR_TO_BOOKMAKER', 'BOOKMAKER_TO_BETTOR']);
export type TransferDirection = z.infer<typeof TransferDirection>;

/** Our requests are strict; Nomapay's answers are parsed leniently (a field it adds does not stop us). */
export const WalletTransferRequest = z.strictObject({
  transferId: OutboundKey,
  iin: Iin,
  direction: TransferDirection,
  ...MoneyFields,
});
export type WalletTransferRequest = z.infer<typeof WalletTransferRequest>;

export const WalletTransfer = z.object({
  transferId: z.string(),
  /** The wallet holder: what lets a status query or a refund check that the transfer it found is ours. */
  iin: Iin,
  direction: TransferDirection,
  amountTiyn: z.number().int(),
  currency: Currency,
  status: z.enum(['COMPLETED', 'REFUNDED']),
  completedAt: IsoDateTime,
  refundedAt: IsoDateTime.optional(),
});
export type WalletTransfer = z.infer<typeof WalletTransfer>;
/** A transfer as the connector hands it to a saga: without the holder's IIN, which the saga already has. */
export type WalletTransferDone = Omit<WalletTransfer, 'iin'>;

export const RefundRequest = z.strictObject({
  reason: z
    .string()
    .min(1)
    .max(500)
    .check(safeText({ multiline: true })),
});

/** Documented business refusals (HTTP 422): not retried. */
export const WalletRejectionCode = z.enum([
  'INSUFFICIENT_FUNDS',
  'WALLET_NOT_FOUND',
  'WALLET_NOT_IDENTIFIED',
  'WALLET_BLOCKED',
]);
