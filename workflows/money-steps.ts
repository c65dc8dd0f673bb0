import { ApplicationFailure, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JournalActivities, StepRecord } from '../activities/journal.js';
import type { BettorGateActivities } from '../activities/bettor-gate.js';
import { ErrorType } from '../domain/errors.js';
import { OperationStatusKey } from '../domain/search-attributes.js';
import { failureType } from './saga.js';

// Shared by the bet, settlement and payout sagas: journaling a step, and reading a failure's reason.

const journal = proxyLocalActivities<JournalActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

// A read of the bookmaker's own PostgreSQL: short, local, retried until it answers.
const gate = proxyLocalActivities<BettorGateActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * The identification gate (seed 000 items 6–7): money moves and stakes are taken only for a bettor whose
 * identification ended IDENTIFIED. Answers the refusal to raise, or undefined when the bettor may go on.
 */
export async function identificationRefusal(bettorRef: string): Promise<{ type: string; message: string } | undefined> {
  const answer = await gate.checkBettorIdentified({ bettorRef });
  if (answer.allowed) return undefined;
  const why = answer.status === 'UNKNOWN' ? 'has not been identified' : `identification is ${answer.status}${answer.blockedUntil ? ` until ${answer.blockedUntil}` : ''}`;
  return { type: ErrorType.BettorNotIdentified, message: `the bettor ${why}: identify them through Nomapay first` };
}

export type StepExtra = Partial<Pick<StepRecord, 'result' | 'failure' | 'esuReceiptId' | 'details'>>;

/**
 * Moves the saga to `status` (its state, the OperationStatus search attribute) and journals the step in the
 * operations list and the event journal (seed 003 §55.11), as the deposit saga does. `subject` is read on each
 * call: a settlement learns its bettor and amount only once it has loaded the bet.
 */
export function stepJournal<Status extends string>(
  state: { status: Status },
  kind: string,
  subject: () => { operationId: string; bettorRef: string; amountTiyn: number },
) {
  const { workflowId } = workflowInfo();
  return async (status: Status, event: string, extra: StepExtra = {}): Promise<void> => {
    const startedAtMs = Date.now(); // workflow time: deterministic on replay
    state.status = status;
    upsertSearchAttributes([{ key: OperationStatusKey, value: status }]);
    await journal.recordStep({ ...subject(), kind, workflowId, status, event, result: 'OK', startedAtMs, ...extra });
  };
}

export function rootMessage(err: unknown): string {
  let current = err as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(err);
}

/**
 * The typed failure of an activity error, with the counterpart's refusal code when it gave one (details of
 * activities/http.ts). A step that ran out of time is CounterpartUnavailable whatever its last attempt threw:
 * the connector's transient faults are plain Errors, whose type would otherwise read "Error".
 */
export function describeFailure(err: unknown): { type: string; code?: string; message: string } {
  let current: unknown = err;
  while (current instanceof Error && !(current instanceof ApplicationFailure)) current = current.cause;
  const code = current instanceof ApplicationFailure ? (current.details?.[0] as { code?: string } | undefined)?.code : undefined;
  return { type: failureType(err) ?? 'Unknown', ...(code ? { code } : {}), message: rootMessage(err) };
}
