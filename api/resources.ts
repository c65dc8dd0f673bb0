import { WorkflowNotFoundError } from '@temporalio/client';
import type { EsuBridgeClient } from '../client/index.js';
import type { Pool } from '../db/pool.js';
import type { IdempotencyKeys } from './idempotency.js';
import { ProblemError } from './problem.js';

export interface ApiDeps {
  client: EsuBridgeClient;
  pool: Pool;
  once: IdempotencyKeys;
}

export interface OperationRow {
  operation_id: string;
  kind: string;
  status: string;
  amount_tiyn: number;
  esu_receipt_id: string | null;
  failure_type: string | null;
  failure_message: string | null;
}

export const notFound = (what: string) => new ProblemError(404, `${what} is not known here`);

/**
 * A resource by id: the workflow's `getStatus` query while Temporal keeps the run, then the operations list in
 * PostgreSQL (kept for years) once the run is past its retention.
 */
export async function readOperation<State>(
  pool: Pool,
  workflowId: string,
  what: string,
  query: () => Promise<State>,
  fromRow?: (row: OperationRow) => State,
): Promise<State> {
  try {
    return await query();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (fromRow) {
    const { rows } = await pool.query<OperationRow>(
      'SELECT operation_id, kind, status, amount_tiyn, esu_receipt_id, failure_type, failure_message FROM operations WHERE workflow_id = $1',
      [workflowId],
    );
    if (rows[0]) return fromRow(rows[0]);
  }
  throw notFound(what);
}

/** The parts of a state the operations row keeps. */
export const rowFailure = (row: OperationRow) => (row.failure_type ? { failure: { type: row.failure_type, message: row.failure_message ?? '' } } : {});
