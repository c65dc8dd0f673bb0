import { z } from 'zod';

/**
 * Business keys chosen by the bookmaker's services. They become workflow ids and idempotency keys at
 * every counterpart, so they are restricted to characters every system takes verbatim.
 */
export const BusinessKey = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"');

/** The bettor as search attributes and our records name them: the keyed hash (HMAC-SHA256, hex) of the IIN. */
export const BettorRef = z.string().regex(/^[0-9a-f]{64}$/, 'bettorRef must be a hex HMAC-SHA256');

export const WorkflowProcess = {
  Deposit: 'Deposit',
  Bet: 'Bet',
  Settlement: 'Settlement',
  Payout: 'Payout',
  Identification: 'Identification',
  /** A consent revoked after the bettor's identification ended; keyed by the bettor id. */
  ConsentRevocation: 'ConsentRevocation',
  Migration: 'Migration',
  Submission: 'Submission',
  Incident: 'Incident',
  /** The long-running detector that opens incidents on its own; one per task queue. */
  IncidentDetector: 'IncidentDetector',
  /** The reader of a counterpart's verdict messages (the e-government integration rules §47); one per counterpart and task queue. */
  VerdictReader: 'VerdictReader',
  /** The daily reconciliation of one Almaty day (issue 13), keyed by the day. */
  Reconciliation: 'Reconciliation',
} as const;
export type WorkflowProcess = (typeof WorkflowProcess)[keyof typeof WorkflowProcess];

/** Ids we send to a counterpart: a BusinessKey with a kind prefix, or a submission id, so up to 80 characters. */
export const OutboundKey = z
  .string()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"');

/** Submission ids add a counterpart and kind prefix and an attempt suffix to an operation id (a BusinessKey of ≤ 64). */
export const SubmissionKey = OutboundKey;

/** `<Process>:<businessKey>`, as in `Deposit:dep-2026-000123`. */
export function workflowId(process: WorkflowProcess, businessKey: string): string {
  return `${process}:${businessKey}`;
}

export function parseWorkflowId(id: string): { process: WorkflowProcess; businessKey: string } {
  const colon = id.indexOf(':');
  const process = id.slice(0, colon) as WorkflowProcess;
  const businessKey = id.slice(colon + 1);
  // Submission ids add a counterpart prefix and an attempt suffix to a business key: up to 80 (SubmissionKey).
  const key = process === WorkflowProcess.Submission ? SubmissionKey : BusinessKey;
  if (colon < 1 || !Object.values(WorkflowProcess).includes(process) || !key.safeParse(businessKey).success) {
    throw new RangeError(`not an esu-bridge workflow id: ${id}`);
  }
  return { process, businessKey };
}

export const depositWorkflowId = (depositId: string) => workflowId(WorkflowProcess.Deposit, depositId);
export const betWorkflowId = (betId: string) => workflowId(WorkflowProcess.Bet, betId);
/** Keyed by the bet, not by a settlement id: settling a bet twice meets the first settlement's run. */
export const settlementWorkflowId = (betId: string) => workflowId(WorkflowProcess.Settlement, betId);
export const payoutWorkflowId = (payoutId: string) => workflowId(WorkflowProcess.Payout, payoutId);

/** The four kinds of money operation. One id names one operation of one kind, ever (the operation registry). */
export const OperationKind = z.enum(['DEPOSIT', 'BET', 'SETTLEMENT', 'PAYOUT']);
export type OperationKind = z.infer<typeof OperationKind>;

const COUNTERPART_PREFIX: Record<OperationKind, string> = {
  DEPOSIT: 'dep',
  BET: 'bet',
  SETTLEMENT: 'stl',
  PAYOUT: 'pay',
};

/**
 * The id an operation goes by at Nomapay (transfer id) and ESU (operation id): the kind's prefix and the
 * bookmaker's id (`dep-X`, `pay-X`). A deposit and a payout can then never meet under one counterpart id, even
 * for operations recorded before the registry refused such reuse. At most 68 characters (OutboundKey).
 */
export function counterpartOperationId(kind: OperationKind, operationId: string): string {
  return `${COUNTERPART_PREFIX[kind]}-${operationId}`;
}

/** Idempotency key of one step of an operation at one counterpart: stable across retries and replays. */
export function stepKey(operationId: string, step: string): string {
  return `${operationId}:${step}`;
}
