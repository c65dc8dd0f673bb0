import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';

/**
 * One step of an operation as the operations list and the event journal record it. The journal row has
 * the attributes of National Bank resolution No. 116 §55.11 (start, event, acting user, record id, end, result).
 */
export interface StepRecord {
  operationId: string;
  kind: string;
  workflowId: string;
  bettorRef: string;
  amountTiyn: number;
  status: string;
  event: string;
  result: 'OK' | 'REFUSED' | 'FAILED' | 'COMPENSATED';
  /** Who acted: `system` for workflows, the officer's login for console actions. */
  actor?: string;
  esuReceiptId?: string;
  failure?: { type: string; message: string };
  details?: Record<string, unknown>;
  /** Epoch ms when the step began (workflow time); the end is when the row is written. */
  startedAtMs: number;
}

/**
 * Journals one step inside the caller's transaction: moves the operation to its new status and writes the journal
 * row. Idempotent per (operation, event): a local activity may run again after a worker crash.
 */
export async function recordStepWithin(db: PoolClient, step: StepRecord): Promise<void> {
  const inserted = await db.query(
    `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details, dedupe_key)
     VALUES (to_timestamp($1 / 1000.0), now(), $2, $3, $4, $5, $6, $7)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      step.startedAtMs,
      step.event,
      step.actor ?? 'system',
      step.operationId,
      step.result,
      JSON.stringify({ status: step.status, workflowId: step.workflowId, failure: step.failure, ...step.details }),
      `${step.operationId}:${step.event}`,
    ],
  );
  if (!inserted.rowCount) return;
  await db.query(
    `INSERT INTO operations (operation_id, kind, workflow_id, bettor_ref, amount_tiyn, status, esu_receipt_id, failure_type, failure_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (operation_id) DO UPDATE SET
       status = EXCLUDED.status,
       esu_receipt_id = COALESCE(EXCLUDED.esu_receipt_id, operations.esu_receipt_id),
       failure_type = COALESCE(EXCLUDED.failure_type, operations.failure_type),
       failure_message = COALESCE(EXCLUDED.failure_message, operations.failure_message),
       updated_at = now()`,
    [
      step.operationId,
      step.kind,
      step.workflowId,
      step.bettorRef,
      step.amountTiyn,
      step.status,
      step.esuReceiptId ?? null,
      step.failure?.type ?? null,
      step.failure?.message ?? null,
    ],
  );
}

/** Journals steps in order inside the caller's transaction (a ledger posting's, the registry's). */
export async function recordStepsWithin(db: PoolClient, steps: readonly StepRecord[] = []): Promise<void> {
  for (const step of steps) await recordStepWithin(db, step);
}

export function createJournalActivities({ pool }: { pool: Pool }) {
  return {
    /** Moves the operation to its new status and journals the step, in one transaction. */
    async recordStep(step: StepRecord): Promise<void> {
      await inTransaction(pool, (db) => recordStepWithin(db, step));
    },

    /** Several steps a saga passed in one workflow task, in one transaction. */
    async recordSteps({ steps }: { steps: StepRecord[] }): Promise<void> {
      await inTransaction(pool, (db) => recordStepsWithin(db, steps));
    },
  };
}

export type JournalActivities = ReturnType<typeof createJournalActivities>;
