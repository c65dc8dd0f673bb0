import type { SubmissionPayload } from './submission.js';

/**
 * An officer's correction of a rejected submission (AFM order No. 9, item 5(3): the bookmaker corrects and
 * resubmits), judged against the record as first sent. What must not change is pinned: the counterpart, the
 * bettor (the corrected IIN must give the submission's bettor reference, compared as HMACs so the IIN itself is
 * never compared, journalled or logged), the operation's id and kind (for AFM, its direction: received from or
 * paid to the bettor). What did change is listed field by field with its old and new values, never the IIN; a
 * change of an amount, currency or date needs a second officer's approval before it is sent.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface CorrectionVerdict {
  problems: FieldProblem[];
  changes: FieldChange[];
  /** An amount, currency or date changed: a second officer approves before it is sent. */
  needsApproval: boolean;
}

/** The record's fields whose change needs the four-eyes approval. */
export const APPROVAL_FIELDS: readonly string[] = [
  'receivedTiyn',
  'paidTiyn',
  'amountTiyn',
  'currency',
  'receivedAt',
  'paidAt',
  'occurredAt',
];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function judgeCorrection(
  original: SubmissionPayload,
  corrected: SubmissionPayload,
  pinned: { bettorRef: string; operationId: string },
  refOf: (iin: string) => string,
): CorrectionVerdict {
  const problems: FieldProblem[] = [];
  if (corrected.counterpart !== original.counterpart) {
    problems.push({ field: 'payload.counterpart', message: `must stay ${original.counterpart}` });
    return { problems, changes: [], needsApproval: false };
  }
  if (refOf(corrected.record.iin) !== pinned.bettorRef) {
    problems.push({
      field: 'payload.record.iin',
      message: "must be the IIN of this submission's bettor (it does not give the submission's bettor reference)",
    });
  }
  if (original.counterpart === 'ESU' && corrected.counterpart === 'ESU') {
    if (corrected.record.operationId !== original.record.operationId)
      problems.push({
        field: 'payload.record.operationId',
        message: `must stay ${original.record.operationId}, the operation ESU refused`,
      });
    if (corrected.record.kind !== original.record.kind)
      problems.push({
        field: 'payload.record.kind',
        message: `must stay ${original.record.kind}, the operation's kind`,
      });
  }
  if (original.counterpart === 'AFM' && corrected.counterpart === 'AFM') {
    const receivedBefore = original.record.receivedTiyn !== undefined;
    const receivedNow = corrected.record.receivedTiyn !== undefined;
    if (receivedBefore !== receivedNow) {
      problems.push({
        field: receivedBefore ? 'payload.record.receivedTiyn' : 'payload.record.paidTiyn',
        message: `must stay an amount ${receivedBefore ? 'received from' : 'paid to'} the bettor, as operation ${pinned.operationId} is`,
      });
    }
  }
  const before = original.record as Record<string, unknown>;
  const after = corrected.record as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'iin').sort();
  const changes = keys
    .filter((k) => !same(before[k], after[k]))
    .map((k) => ({ field: `payload.record.${k}`, old: before[k] ?? null, new: after[k] ?? null }));
  const needsApproval = changes.some((c) => APPROVAL_FIELDS.includes(c.field.slice('payload.record.'.length)));
  return { problems, changes, needsApproval };
}
