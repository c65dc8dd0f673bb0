import { z } from 'zod';
import { ageOn, Iin } from '../domain/iin.js';
import {
  EligibilityRequest,
  EsuOperationRequest,
  type EligibilityResult,
  type EsuReceipt,
  type RestrictionReason,
} from '../domain/wire/esu.js';
import { Listings, type EsuListedOperation } from '../domain/wire/listings.js';
import { found, HttpError, mutation, parseBody, reading, type Route, settingRoute } from './http.js';
import { dayListing } from './listing.js';

/**
 * ESU (ЕСУ/СКДОИБ) as a simulator: the register of restricted persons and real-time recording of
 * operations with receipts (the ESU integration plan, items 13, 15). ESU refuses people under 21 and restricted persons
 * (BAQ.KZ 2025-10-23); self-exclusion through eGov lasts up to 10 years and cannot be revoked.
 */
const Restriction = z.object({
  iin: Iin,
  reason: z.enum(['SELF_EXCLUDED', 'BARRED']),
  until: z.iso.datetime({ offset: true }).optional(),
});

export function createEsuSimulator(now: () => Date = () => new Date()) {
  const restrictions = new Map<string, z.infer<typeof Restriction>>();
  const operations = new Map<string, { request: EsuOperationRequest; receipt: EsuReceipt }>();
  let sequence = 0;
  // Reconciliation: a record's status when ESU struck it off (domain/wire/listings.ts).
  const statuses = new Map<string, string>();
  // The day's recorded operations, by ESU's record time in Almaty, for the bookmaker's daily reconciliation.
  const listing = dayListing<EsuListedOperation, { request: EsuOperationRequest; receipt: EsuReceipt }>({
    listing: Listings.ESU,
    holds: operations,
    listed: ({ request, receipt }) => ({
      operationId: request.operationId,
      receiptId: receipt.receiptId,
      kind: request.kind,
      amountTiyn: request.amountTiyn,
      recordedAt: receipt.recordedAt,
      status: statuses.get(request.operationId) ?? 'RECORDED',
    }),
    alter: (record, change) => {
      if (change.amountTiyn !== undefined) record.request = { ...record.request, amountTiyn: change.amountTiyn };
      if (change.status !== undefined) statuses.set(record.request.operationId, change.status);
    },
  });

  function restriction(iin: string, at: Date): { reason: RestrictionReason; until?: string } | undefined {
    const age = ageOn(iin, at);
    if (age !== undefined && age < 21) return { reason: 'UNDER_21' };
    const listed = restrictions.get(iin);
    if (listed && (!listed.until || new Date(listed.until) > at)) return { reason: listed.reason, until: listed.until };
    return undefined;
  }

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/eligibility-checks',
      handle: ({ body }) => {
        const request = parseBody(EligibilityRequest, body);
        const at = now();
        const refused = restriction(request.iin, at);
        const result: EligibilityResult = refused
          ? {
              eligible: false,
              reason: refused.reason,
              ...(refused.until ? { restrictedUntil: refused.until } : {}),
              checkedAt: at.toISOString(),
            }
          : { eligible: true, checkedAt: at.toISOString() };
        return { status: 200, body: result };
      },
    },
    mutation('/v1/operations', EsuOperationRequest, (request, { idempotencyKey, applied }) => {
      // A corrected record comes under its submission's id (`esu-<operationId>[-r<n>]`, domain/submission.ts): the
      // key may differ from the operation id, but must name it. The operation is still recorded once only.
      const key = idempotencyKey ?? '';
      const namesOperation =
        key === `esu-${request.operationId}` ||
        (key.startsWith(`esu-${request.operationId}-r`) && /^\d+$/.test(key.slice(request.operationId.length + 6)));
      if (key !== request.operationId && !namesOperation) {
        throw new HttpError(
          400,
          'INVALID_REQUEST',
          'idempotency-key must equal operationId, or be the submission id esu-<operationId>[-r<n>]',
          [
            {
              field: 'operationId',
              code: 'mismatch',
              message: 'must equal the idempotency-key header or the operation of its submission id',
            },
          ],
        );
      }
      if (operations.has(request.operationId)) {
        throw new HttpError(
          422,
          'DUPLICATE_OPERATION',
          `operation ${request.operationId} is already recorded with another body`,
        );
      }
      const refused = restriction(request.iin, now());
      if (refused && (request.kind === 'BET' || request.kind === 'DEPOSIT')) {
        throw new HttpError(422, 'BETTOR_RESTRICTED', `bettor is restricted: ${refused.reason}`);
      }
      sequence += 1;
      const receipt: EsuReceipt = {
        receiptId: `ESU-${sequence}`,
        operationId: request.operationId,
        recordedAt: now().toISOString(),
      };
      operations.set(request.operationId, { request, receipt });
      applied(request.operationId);
      return { status: 201, body: receipt };
    }),
    listing.route,
    reading('/v1/operations/:operationId', ({ params }) => {
      const record = found(operations.get(params.operationId!), `operation ${params.operationId} is not recorded`);
      const { kind, amountTiyn, iin } = record.request;
      return { ...record.receipt, kind, amountTiyn, iin };
    }),
  ];

  const adminRoutes: Route[] = [
    settingRoute('/__admin/restrictions', Restriction, (entry) => restrictions.set(entry.iin, entry)),
    {
      method: 'DELETE',
      path: '/__admin/restrictions/:iin',
      handle: ({ params }) => {
        const entry = restrictions.get(params.iin!);
        // Self-exclusion is irrevocable (up to 10 years): only a bar can be lifted.
        if (entry?.reason === 'SELF_EXCLUDED')
          throw new HttpError(409, 'IRREVOCABLE', 'self-exclusion cannot be lifted');
        restrictions.delete(params.iin!);
        return { status: 204, body: undefined };
      },
    },
    reading('/__admin/operations', () => [...operations.values()]),
    ...listing.adminRoutes,
  ];

  return {
    routes,
    adminRoutes,
    reset() {
      restrictions.clear();
      operations.clear();
      statuses.clear();
      listing.reset();
      sequence = 0;
    },
  };
}
