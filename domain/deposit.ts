import { z } from 'zod';
import { Iin } from './iin.js';
import { MoneyFields } from './money.js';
import { BettorRef, BusinessKey } from './ids.js';
import type { EsuReceipt } from './wire/esu.js';

/** What a bookmaker service sends to start a deposit. `depositId` is its idempotency key. Unknown fields are refused. */
export const DepositRequest = z.strictObject({ depositId: BusinessKey, iin: Iin, ...MoneyFields });
export type DepositRequest = z.infer<typeof DepositRequest>;

/** The workflow input: the request plus what the client derives (the keyed hash used in search attributes). */
export const DepositInput = DepositRequest.extend({ bettorRef: BettorRef });
export type DepositInput = z.infer<typeof DepositInput>;

export const DepositStatus = {
  Received: 'RECEIVED',
  CheckingBettor: 'CHECKING_BETTOR',
  DebitingWallet: 'DEBITING_WALLET',
  CreditingAccount: 'CREDITING_ACCOUNT',
  RecordingInEsu: 'RECORDING_IN_ESU',
  Completed: 'COMPLETED',
  Compensating: 'COMPENSATING',
  Compensated: 'COMPENSATED',
  Refused: 'REFUSED',
  CompensationFailed: 'COMPENSATION_FAILED',
} as const;
export type DepositStatus = (typeof DepositStatus)[keyof typeof DepositStatus];

/** Snapshot returned by the `getStatus` query and, once finished, as the workflow result. */
export interface DepositState {
  depositId: string;
  status: DepositStatus;
  amountTiyn: number;
  walletTransferId?: string;
  ledgerTransferId?: string;
  esuReceipt?: EsuReceipt;
  failure?: { type: string; message: string };
  compensations: string[];
}
