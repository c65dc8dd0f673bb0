import type { Pool } from '../db/pool.js';

/**
 * The bookmaker API's idempotency keys (api_idempotency_keys): a caller's key is claimed with the request's
 * fingerprint, answered once the call is done, and released when the call fails. How a replay is answered is the
 * API's (api/idempotency.ts).
 */
export interface IdempotencyKey {
  caller: string;
  key: string;
}

/** A key as it is held: the fingerprint of the request that claimed it, and its answer once it has one. */
export interface HeldIdempotencyKey {
  fingerprint: string;
  status_code: number | null;
  response: unknown;
}

/** Claims a key for a request; false when another call holds it already. */
export async function claimIdempotencyKey(
  pool: Pool,
  { caller, key }: IdempotencyKey,
  route: string,
  fingerprint: string,
): Promise<boolean> {
  const claimed = await pool.query(
    'INSERT INTO api_idempotency_keys (caller, idempotency_key, route, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [caller, key, route, fingerprint],
  );
  return Boolean(claimed.rowCount);
}

/** The key as it is held, or undefined when it was released meanwhile. */
export async function heldIdempotencyKey(
  pool: Pool,
  { caller, key }: IdempotencyKey,
): Promise<HeldIdempotencyKey | undefined> {
  const { rows } = await pool.query<HeldIdempotencyKey>(
    'SELECT fingerprint, status_code, response FROM api_idempotency_keys WHERE caller = $1 AND idempotency_key = $2',
    [caller, key],
  );
  return rows[0];
}

/** Releases a key whose call failed, so the caller may retry it. */
export async function releaseIdempotencyKey(pool: Pool, { caller, key }: IdempotencyKey): Promise<void> {
  await pool.query('DELETE FROM api_idempotency_keys WHERE caller = $1 AND idempotency_key = $2', [caller, key]);
}

/** Keeps a finished call's answer under its key, for its replays. */
export async function answerIdempotencyKey(
  pool: Pool,
  { caller, key }: IdempotencyKey,
  answer: { code: number; body: unknown },
): Promise<void> {
  await pool.query(
    'UPDATE api_idempotency_keys SET status_code = $3, response = $4, completed_at = now() WHERE caller = $1 AND idempotency_key = $2',
    [caller, key, answer.code, JSON.stringify(answer.body)],
  );
}
