import { z } from 'zod';
import { Iin } from '../iin.js';
import { MoneyFields } from '../money.js';
import { BusinessKey, OutboundKey } from '../ids.js';
import { safeText } from '../text.js';
import { IsoDateTime } from './common.js';

/**
 * ESU (ЕСУ/СКДОИБ, run by ЦМААИ) REST/JSON contract as esu-bridge speaks it. The real API is private;
 * this is the shape our simulator enforces and the connector sends (the ESU integration plan, items 13, 15; AFM order No. 9, item 4(3)).
 *
 * POST /v1/eligibility-checks            → EligibilityResult      (is this bettor allowed to play?)
 * POST /v1/operations  (Idempotency-Key)  → EsuReceipt             (real-time recording, synchronous)
 * GET  /v1/operations/{operationId}       → EsuRecordedOperation | 404 (status query after an unknown outcome)
 *
 * What we send is strict (a field ESU does not define never leaves us unseen); what ESU answers is parsed
 * leniently, so a field ESU adds does not stop us.
 */
export const EligibilityPurpose = z.enum(['DEPOSIT', 'BET', 'PAYOUT']);
export const EligibilityRequest = z.strictObject({ iin: Iin, purpose: EligibilityPurpose });
export type EligibilityRequest = z.infer<typeof EligibilityRequest>;

/** ESU refuses bets from people under 21, self-excluded (eGov, up to 10 years, irrevocable) and barred persons. */
export const RestrictionReason = z.enum(['UNDER_21', 'SELF_EXCLUDED', 'BARRED']);
export type RestrictionReason = z.infer<typeof RestrictionReason>;
export const EligibilityResult = z.object({
  eligible: z.boolean(),
  reason: RestrictionReason.optional(),
  restrictedUntil: IsoDateTime.optional(),
  checkedAt: IsoDateTime,
});
export type EligibilityResult = z.infer<typeof EligibilityResult>;

export const EsuOperationKind = z.enum(['DEPOSIT', 'PAYOUT', 'BET', 'SETTLEMENT']);
export type EsuOperationKind = z.infer<typeof EsuOperationKind>;

export const EsuOperationRequest = z.strictObject({
  operationId: OutboundKey,
  kind: EsuOperationKind,
  iin: Iin,
  ...MoneyFields,
  occurredAt: IsoDateTime,
  /** Present for bets and settlements. */
  bet: z
    .strictObject({
      betId: BusinessKey,
      eventId: z.string().min(1).check(safeText()),
      outcome: z.string().min(1).check(safeText()),
      /** Odds as a decimal string with up to 4 places, e.g. "2.35": never a float on the wire. */
      odds: z.string().regex(/^\d{1,6}(\.\d{1,4})?$/),
      result: z.enum(['WON', 'LOST', 'VOID', 'REFUNDED']).optional(),
      winningsTiyn: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type EsuOperationRequest = z.infer<typeof EsuOperationRequest>;

export const EsuReceipt = z.object({
  receiptId: z.string().min(1),
  operationId: z.string().min(1),
  recordedAt: IsoDateTime,
});
export type EsuReceipt = z.infer<typeof EsuReceipt>;

/**
 * ESU's answer to a status query: the receipt and what was recorded under it, so that the connector can check
 * that an operation found under our id is ours (kind, amount, bettor) before taking its receipt.
 */
export const EsuRecordedOperation = EsuReceipt.extend({
  kind: EsuOperationKind,
  amountTiyn: z.number().int(),
  iin: Iin,
});
export type EsuRecordedOperation = z.infer<typeof EsuRecordedOperation>;

/** Documented business refusals (HTTP 422): not retried. */
export const EsuRejectionCode = z.enum([
  'BETTOR_RESTRICTED',
  'BETTOR_NOT_REGISTERED',
  'INVALID_OPERATION',
  'DUPLICATE_OPERATION',
  'LIMIT_EXCEEDED',
]);
