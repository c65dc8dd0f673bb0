import { z } from 'zod';
import { ListingDate } from './wire/listings.js';

/**
 * Daily reconciliation (issue 13): one Almaty day of our records against each counterpart's. The rules here are
 * pure; activities/reconciliation.ts fetches, stores and calls them, workflows/reconciliation.ts runs the day.
 *
 * Each of our records says what the counterpart must hold: `required` records must be there (after the grace
 * period: a record younger than that at the run's start may still be on its way), and whatever the counterpart
 * holds under the id must have an amount equal to ours and a status among `allowedStatuses`. A counterpart record
 * that none of ours names is missing at ours; one listed twice is a duplicate.
 */
export const ReconciliationCounterpart = z.enum(['ESU', 'NOMAPAY', 'AFM']);
export type ReconciliationCounterpart = z.infer<typeof ReconciliationCounterpart>;
/** Where a difference is: at a counterpart, or in the ledger itself. */
export const DifferenceSource = z.enum([...ReconciliationCounterpart.options, 'LEDGER']);
export type DifferenceSource = z.infer<typeof DifferenceSource>;

export const DifferenceKind = z.enum([
  'MISSING_AT_COUNTERPART',
  'MISSING_AT_OURS',
  'AMOUNT_MISMATCH',
  'STATUS_MISMATCH',
  'DUPLICATE',
  // The internal checks of the same run (the ledger against itself).
  'ACCOUNT_TOTALS',
  'RUNNING_TOTALS',
  'UNBALANCED',
]);
export type DifferenceKind = z.infer<typeof DifferenceKind>;

export const DIFFERENCE_KIND_LABELS: Record<DifferenceKind, string> = {
  MISSING_AT_COUNTERPART: 'missing at the counterpart',
  MISSING_AT_OURS: 'missing at ours',
  AMOUNT_MISMATCH: 'amount mismatch',
  STATUS_MISMATCH: 'status mismatch',
  DUPLICATE: 'duplicate',
  ACCOUNT_TOTALS: "an account's totals differ from its transfers",
  RUNNING_TOTALS: 'running totals differ from the postings (AFM order No. 9, item 4(6))',
  UNBALANCED: 'the ledger does not balance',
};

/** The default grace period: an operation younger than this at the run's start is not yet missing anywhere. */
export const DEFAULT_GRACE_MINUTES = 60;

/** The day the 06:00 Almaty run reconciles: the previous Almaty day. */
export const ReconciliationInput = z.strictObject({
  /** An Almaty date; the previous Almaty day of the run's start when absent (the Schedule's runs). */
  day: ListingDate.optional(),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .optional(),
  trigger: z.enum(['SCHEDULE', 'ON_DEMAND']).optional(),
});
export type ReconciliationInput = z.infer<typeof ReconciliationInput>;

export interface CounterpartCounts {
  listed: number;
  ours: number;
  matched: number;
  /** Ours younger than the grace period and not (yet) at the counterpart. */
  withinGrace: number;
  differences: number;
  error?: string;
}

export interface ReconciliationResult {
  runId: string;
  day: string;
  status: 'CLEAN' | 'DIFFERENCES' | 'INCOMPLETE';
  differences: number;
  byCounterpart: Partial<Record<DifferenceSource, CounterpartCounts>>;
  /** A sentence for people: "no difference" on a clean day. */
  summary: string;
}

export interface OurRecord {
  /** The id at the counterpart (dep-X, afm-dep-X). */
  recordId: string;
  operationId: string;
  operationKind: string;
  amountTiyn: number;
  status: string;
  atMs: number;
  required: boolean;
  /** The counterpart statuses that agree with ours; undefined = any. */
  allowedStatuses?: readonly string[];
}

export interface TheirRecord {
  recordId: string;
  kind?: string;
  amountTiyn?: number;
  status: string;
  atMs: number;
}

export interface FoundDifference {
  kind: DifferenceKind;
  recordId: string;
  operationId?: string;
  operationKind?: string;
  ours?: { amountTiyn: number; status: string; at: string };
  theirs?: { amountTiyn?: number; status: string; at: string; copies?: number };
  message: string;
}

export interface Classification {
  differences: FoundDifference[];
  matched: number;
  withinGrace: number;
}

const show = (r: OurRecord) => ({ amountTiyn: r.amountTiyn, status: r.status, at: new Date(r.atMs).toISOString() });
const showTheirs = (r: TheirRecord, copies?: number) => ({
  ...(r.amountTiyn === undefined ? {} : { amountTiyn: r.amountTiyn }),
  status: r.status,
  at: new Date(r.atMs).toISOString(),
  ...(copies ? { copies } : {}),
});

/**
 * Classifies every difference between our records and the counterpart's. `graceCutoffMs`: ours made after it
 * are not yet missing. `ours` may hold records of other days (those a counterpart record of this day names);
 * `theirs` may hold records of other days (those our records of this day name).
 */
export function classify(
  counterpart: ReconciliationCounterpart,
  ours: readonly OurRecord[],
  theirs: readonly TheirRecord[],
  graceCutoffMs: number,
): Classification {
  const differences: FoundDifference[] = [];
  const listed = new Map<string, TheirRecord[]>();
  for (const t of theirs) listed.set(t.recordId, [...(listed.get(t.recordId) ?? []), t]);
  const mine = new Map(ours.map((o) => [o.recordId, o]));
  let matched = 0;
  let withinGrace = 0;

  for (const [recordId, copies] of listed) {
    if (copies.length > 1) {
      const o = mine.get(recordId);
      differences.push({
        kind: 'DUPLICATE',
        recordId,
        operationId: o?.operationId,
        operationKind: o?.operationKind,
        ours: o ? show(o) : undefined,
        theirs: showTheirs(copies[0]!, copies.length),
        message: `${counterpart} lists ${recordId} ${copies.length} times`,
      });
    }
    if (!mine.has(recordId)) {
      differences.push({
        kind: 'MISSING_AT_OURS',
        recordId,
        theirs: showTheirs(copies[0]!),
        message: `${counterpart} holds ${recordId}, which esu-bridge has no record of`,
      });
    }
  }

  for (const o of ours) {
    const found = listed.get(o.recordId)?.[0];
    if (!found) {
      if (!o.required) continue;
      if (o.atMs > graceCutoffMs) {
        withinGrace += 1;
        continue;
      }
      differences.push({
        kind: 'MISSING_AT_COUNTERPART',
        recordId: o.recordId,
        operationId: o.operationId,
        operationKind: o.operationKind,
        ours: show(o),
        message: `${o.operationKind.toLowerCase()} ${o.operationId} (${o.status}) is not at ${counterpart} under ${o.recordId}`,
      });
      continue;
    }
    let agrees = true;
    if (found.amountTiyn !== undefined && found.amountTiyn !== o.amountTiyn) {
      agrees = false;
      differences.push({
        kind: 'AMOUNT_MISMATCH',
        recordId: o.recordId,
        operationId: o.operationId,
        operationKind: o.operationKind,
        ours: show(o),
        theirs: showTheirs(found),
        message: `${o.recordId}: ${o.amountTiyn} tiyn at ours, ${found.amountTiyn} at ${counterpart}`,
      });
    }
    if (o.allowedStatuses && !o.allowedStatuses.includes(found.status)) {
      agrees = false;
      differences.push({
        kind: 'STATUS_MISMATCH',
        recordId: o.recordId,
        operationId: o.operationId,
        operationKind: o.operationKind,
        ours: show(o),
        theirs: showTheirs(found),
        message: `${o.recordId}: ${o.status} at ours, ${found.status} at ${counterpart}`,
      });
    }
    if (agrees) matched += 1;
  }
  return { differences, matched, withinGrace };
}

/** What a counterpart must hold for one of our operations (the operations table's kind and status). */
export function expectationAt(
  counterpart: 'ESU' | 'NOMAPAY',
  kind: string,
  status: string,
  hasEsuReceipt: boolean,
): Pick<OurRecord, 'required' | 'allowedStatuses'> | undefined {
  if (counterpart === 'ESU') return hasEsuReceipt ? { required: true, allowedStatuses: ['RECORDED'] } : undefined;
  if (kind !== 'DEPOSIT' && kind !== 'PAYOUT') return undefined; // bets and settlements move no money at Nomapay
  if (status === 'COMPLETED' || status === 'COMPLETED_ESU_PENDING')
    return { required: true, allowedStatuses: ['COMPLETED'] };
  // Undone: the transfer never happened or was refunded. Nomapay still holding it as COMPLETED is a difference.
  if (status === 'COMPENSATED' || status === 'REFUSED' || status === 'COMPENSATION_FAILED')
    return { required: false, allowedStatuses: ['REFUNDED'] };
  return { required: false }; // the saga still runs: whatever Nomapay holds is on its way
}

/** What AFM must hold for one of our submissions (the submissions table's status; acknowledged = AFM has it). */
export function afmExpectation(status: string, acknowledged: boolean): Pick<OurRecord, 'required' | 'allowedStatuses'> {
  if (status === 'REJECTED' || status === 'CORRECTED') return { required: acknowledged, allowedStatuses: ['REJECTED'] };
  if (status === 'ACKNOWLEDGED' || status === 'ACCEPTED')
    return { required: true, allowedStatuses: ['ACCEPTED_FOR_PROCESSING', 'ACCEPTED'] };
  return { required: false }; // not sent yet, or its answer not yet back
}

/** The sentence a run ends with. */
export function summarise(
  day: string,
  status: ReconciliationResult['status'],
  differences: number,
  failed: string[],
): string {
  if (status === 'INCOMPLETE')
    return `${day}: incomplete — ${failed.join(', ')} could not be reconciled${differences ? `; ${differences} difference(s) found elsewhere` : ''}`;
  return differences
    ? `${day}: ${differences} difference(s) to resolve`
    : `${day}: no difference — our records, the ledger, ESU, Nomapay and AFM agree`;
}
