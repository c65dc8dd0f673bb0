import { ApplicationFailure } from '@temporalio/activity';
import { bettorRef, requestDigest } from '../crypto/bettor-ref.js';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { recordStepsWithin, type StepRecord } from './journal.js';
import { ErrorType } from '../domain/errors.js';
import type { OperationKind } from '../domain/ids.js';

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

const KIND_WORD: Record<OperationKind, string> = {
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
  await db.query(
    `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details, dedupe_key)
     VALUES (now(), now(), $1, 'system', $2, 'REFUSED', $3, $4) ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      `${KIND_WORD[request.kind]}.id-conflict`,
      request.operationId,
      JSON.stringify({ workflowId: request.workflowId, kind: request.kind, registeredKind, reason }),
      `registry:${request.workflowId}:${request.runId}:conflict`,
    ],
  );
}

export function createOperationRegistryActivities({ pool, bettorRefKey }: { pool: Pool; bettorRefKey: string }) {
  return {
    async registerOperation(request: RegisterOperation): Promise<Registration> {
      const iin = request.request.iin;
      let ref = request.bettorRef ?? null;
      if (typeof iin === 'string') {
        // Nothing trusted from outside: the reference that keys the bettor's ledger account is ours to derive.
        if (bettorRef(iin, bettorRefKey) !== request.bettorRef) {
          throw ApplicationFailure.create({
            message: `${KIND_WORD[request.kind]} input: bettorRef: is not the reference of this iin`,
            type: ErrorType.InvalidInput,
            nonRetryable: true,
          });
        }
      }
      const digest = requestDigest({ kind: request.kind, ...request.request }, bettorRefKey);
      const conflict = await inTransaction(pool, async (db) => {
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
      if ('reason' in conflict) {
        throw ApplicationFailure.create({
          message: `${KIND_WORD[request.kind]} ${request.operationId} is refused, nothing moved: the id ${request.operationId} is already registered and ${conflict.reason}`,
          type: ErrorType.IdempotencyConflict,
          nonRetryable: true,
        });
      }
      return conflict.registration;
    },

    /** Records how the operation ended, so that a later reuse of its id answers it without moving anything. */
    async finishOperation({
      operationId,
      kind,
      outcome,
      state,
      failure,
      steps,
    }: FinishedOperation & { operationId: string; kind: OperationKind }): Promise<void> {
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
    },
  };
}

export type OperationRegistryActivities = ReturnType<typeof createOperationRegistryActivities>;

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
