import type { Pool } from '../db/pool.js';

/** An operation as the operations list keeps it for years, after its workflow's run is past retention. */
export interface OperationRow {
  operation_id: string;
  kind: string;
  status: string;
  amount_tiyn: number;
  esu_receipt_id: string | null;
  failure_type: string | null;
  failure_message: string | null;
}

/** The operation a workflow ran, from the operations list; undefined when none is recorded. */
export async function operationOfWorkflow(pool: Pool, workflowId: string): Promise<OperationRow | undefined> {
  const { rows } = await pool.query<OperationRow>(
    'SELECT operation_id, kind, status, amount_tiyn, esu_receipt_id, failure_type, failure_message FROM operations WHERE workflow_id = $1',
    [workflowId],
  );
  return rows[0];
}
