import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import type { OperationKind } from '../domain/ids.js';
import { appendJournal, recordStepsWithin, type StepRecord } from './journal.js';

/**
 * The operation registry (PostgreSQL `operation_registry`): one id names one operation, of one kind, with one
 * request, for as long as the records are kept, whichever workflow asks and however long after Temporal has
 * forgotten the run. Every money saga registers before it calls any counterpart:
 * - a new id is registered, and the saga goes on;
 * - the same id, kind and request joins: an open operation goes on (a reset run resumes it), a finished one
 *   answers its recorded outcome and moves nothing;
 * - anything else is an IdempotencyConflict, journalled, and nothing moves.
 */
export interface RegisterOperation {
  operationId: string;
  kind: OperationKind;
  workflowId: string;
  runId: string;
  /**
   * What makes the operation this one: the bookmaker's request without what the client derived. Its digest is
   * compared on reuse. An `iin` in it is checked against `bettorRef`.
   */
  request: Record<string, unknown>;
  /** The bettor reference the caller derived from the IIN: recomputed here, and refused when it differs. */
  bettorRef?: string;
  /** A settlement that was refused moved nothing, so it may run again under its id (the bookmaker retries it). */
  reopenFailed?: boolean;
  /** The saga's first steps, journalled in the registration's transaction when the id is registered (no more). */
  steps?: StepRecord[];
}

export interface FinishedOperation {
  outcome: 'COMPLETED' | 'FAILED';
  /** The saga's last state: ids, amounts, statuses and receipts only, never personal data. */
  state: Record<string, unknown>;
  failure?: { type: string; message: string };
  /** The saga's last steps, journalled in the same transaction as its outcome. */
  steps?: StepRecord[];
}

export type Registration =
  | { outcome: 'REGISTERED' }
  | ({ outcome: 'FINISHED' } & Omit<FinishedOperation, 'outcome'> & { finished: FinishedOperation['outcome'] });

export const KIND_WORD: Record<OperationKind, string> = {
  DEPOSIT: 'deposit',
  BET: 'bet',
  SETTLEMENT: 'settlement',
  PAYOUT: 'payout',
};

interface RegistryRow {
  kind: OperationKind;
  request_digest: string | null;
  workflow_id: string;
  outcome: 'COMPLETED' | 'FAILED' | null;
  final_state: { state: Record<string, unknown>; failure?: { type: string; message: string } } | null;
}

/** Why a registered row does not admit this request, or undefined when it is the same operation. */
function conflictReason(row: RegistryRow, request: RegisterOperation, digest: string): string | undefined {
  if (row.kind !== request.kind) return `it names a ${KIND_WORD[row.kind]}, not a ${KIND_WORD[request.kind]}`;
  if (row.request_digest === null)
    return 'it was used before esu-bridge kept requests, so a replay cannot be told from a reuse';
  if (row.request_digest !== digest) return 'it was used with another request';
  if (row.workflow_id !== request.workflowId) return `it belongs to workflow ${row.workflow_id}`;
  return undefined;
}

async function journalConflict(
  db: PoolClient,
  request: RegisterOperation,
  reason: string,
  registeredKind: OperationKind,
): Promise<void> {
  await appendJournal(db, {
    event: `${KIND_WORD[request.kind]}.id-conflict`,
    actor: 'system',
    recordId: request.operationId,
    result: 'REFUSED',
    details: { workflowId: request.workflowId, kind: request.kind, registeredKind, reason },
    dedupeKey: `registry:${request.workflowId}:${request.runId}:conflict`,
  });
}

/**
 * Registers the id in one transaction with the saga's first steps: REGISTERED (new, or an open run of the same
 * operation resumed), FINISHED (its recorded outcome), or the reason it is someone else's (journalled).
 */
export async function registerOperationRow(
  pool: Pool,
  request: RegisterOperation,
  digest: string,
  bettorRef: string | null,
): Promise<{ registration: Registration } | { reason: string }> {
  let ref = bettorRef;
  return inTransaction(pool, async (db) => {
    if (ref === null && request.kind === 'SETTLEMENT' && typeof request.request.betId === 'string') {
      ref =
        (await db.query('SELECT bettor_ref FROM bets WHERE bet_id = $1', [request.request.betId])).rows[0]
          ?.bettor_ref ?? null;
    }
    const inserted = await db.query(
      `INSERT INTO operation_registry (operation_id, kind, bettor_ref, request_digest, workflow_id, run_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (operation_id) DO NOTHING`,
      [request.operationId, request.kind, ref, digest, request.workflowId, request.runId],
    );
    if (inserted.rowCount) {
      await recordStepsWithin(db, request.steps);
      return { registration: { outcome: 'REGISTERED' } as Registration };
    }
    const row: RegistryRow = (
      await db.query(
        'SELECT kind, request_digest, workflow_id, outcome, final_state FROM operation_registry WHERE operation_id = $1 FOR UPDATE',
        [request.operationId],
      )
    ).rows[0];
    const reason = conflictReason(row, request, digest);
    if (reason) {
      await journalConflict(db, request, reason, row.kind);
      return { reason };
    }
    if (row.outcome === null || (row.outcome === 'FAILED' && request.reopenFailed)) {
      await db.query(
        'UPDATE operation_registry SET run_id = $2, outcome = NULL, final_state = NULL, finished_at = NULL WHERE operation_id = $1',
        [request.operationId, request.runId],
      );
      await recordStepsWithin(db, request.steps);
      return { registration: { outcome: 'REGISTERED' } as Registration };
    }
    return {
      registration: {
        outcome: 'FINISHED',
        finished: row.outcome,
        state: row.final_state?.state ?? {},
        ...(row.final_state?.failure ? { failure: row.final_state.failure } : {}),
      } as Registration,
    };
  });
}

/** Records how the operation ended, with its last steps, in one transaction when there are steps. */
export async function finishOperationRow(
  pool: Pool,
  finished: FinishedOperation & { operationId: string; kind: OperationKind },
): Promise<void> {
  const { operationId, kind, outcome, state, failure, steps } = finished;
  const finish = (db: Pool | PoolClient) =>
    db.query(
      `UPDATE operation_registry SET outcome = $3, final_state = $4, finished_at = now()
       WHERE operation_id = $1 AND kind = $2 AND outcome IS NULL`,
      [operationId, kind, outcome, JSON.stringify({ state, ...(failure ? { failure } : {}) })],
    );
  if (!steps?.length) {
    await finish(pool);
    return;
  }
  await inTransaction(pool, async (db) => {
    await recordStepsWithin(db, steps);
    await finish(db);
  });
}

/** Read side for the API and the console: what the registry holds for an id, if anything. */
export async function findRegisteredOperation(
  pool: Pool,
  operationId: string,
): Promise<{ kind: OperationKind; workflowId: string; outcome: string | null } | undefined> {
  const { rows } = await pool.query(
    'SELECT kind, workflow_id, outcome FROM operation_registry WHERE operation_id = $1',
    [operationId],
  );
  return rows[0] ? { kind: rows[0].kind, workflowId: rows[0].workflow_id, outcome: rows[0].outcome } : undefined;
}
