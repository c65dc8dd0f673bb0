import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { EsuBridgeClient } from '../client/index.js';
import type { Pool } from '../db/pool.js';
import { operationOfWorkflow, type OperationRow } from '../store/operations.js';
import type { IdempotencyKeys } from './idempotency.js';
import { ProblemError } from './problem.js';

export interface ApiDeps {
  client: EsuBridgeClient;
  pool: Pool;
  once: IdempotencyKeys;
}

export type { OperationRow };

export const notFound = (what: string) => new ProblemError(404, `${what} is not known here`);

/**
 * A resource by id: the workflow's `getStatus` query while Temporal keeps the run, else the durable record in
 * PostgreSQL (the operations list, kept for years, once the run is past its retention). A query the run cannot
 * answer (a worker that cannot replay it) is logged for ops and answered from PostgreSQL too; Temporal itself
 * unreachable is a 503.
 */
export async function readOperation<State>(
  pool: Pool,
  log: FastifyBaseLogger,
  workflowId: string,
  what: string,
  query: () => Promise<State>,
  fromRow?: (row: OperationRow) => State | Promise<State>,
): Promise<State> {
  let failure: unknown;
  try {
    return await query();
  } catch (err) {
    if (err instanceof ServiceError && !(err instanceof WorkflowNotFoundError)) throw err;
    failure = err;
  }
  const fallback = fromRow ? await operationOfWorkflow(pool, workflowId) : undefined;
  if (!(failure instanceof WorkflowNotFoundError))
    log.error({ err: failure, workflowId }, 'workflow query failed; reading PostgreSQL instead');
  if (fallback && fromRow) return fromRow(fallback);
  if (failure instanceof WorkflowNotFoundError) throw notFound(what);
  throw failure;
}

/** A state kept whole in PostgreSQL (incidents.state): the same fallback for resources whose table keeps the snapshot. */
export async function readState<State>(
  log: FastifyBaseLogger,
  snapshot: () => Promise<State | undefined>,
  id: string,
  what: string,
  query: () => Promise<State>,
): Promise<State> {
  try {
    return await query();
  } catch (err) {
    if (err instanceof ServiceError && !(err instanceof WorkflowNotFoundError)) throw err;
    if (!(err instanceof WorkflowNotFoundError))
      log.error({ err, id }, 'workflow query failed; reading PostgreSQL instead');
    const state = await snapshot();
    if (state !== undefined) return state;
    if (err instanceof WorkflowNotFoundError) throw notFound(what);
    throw err;
  }
}

/** The parts of a state the operations row keeps. */
export const rowFailure = (row: OperationRow) =>
  row.failure_type ? { failure: { type: row.failure_type, message: row.failure_message ?? '' } } : {};
