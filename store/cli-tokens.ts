import type { Pool } from '../db/pool.js';

/**
 * The tokens `esu-bridge login` gets from the console (migration 019, `cli_tokens`): each row is a token by its
 * SHA-256 (the console hashes it; the table never sees the token), the login and role it was issued to, when it was
 * issued, used last, expires and was revoked. Whether a token holds is the console's (console/cli-tokens.ts).
 */
export interface CliTokenHolder {
  login: string;
  role: string;
}

/** Records a token issued to `holder` for `ttlMs` from now; answers when it was issued and when it expires. */
export async function insertCliToken(
  pool: Pool,
  id: string,
  holder: CliTokenHolder,
  ttlMs: number,
): Promise<{ createdAt: Date; expiresAt: Date }> {
  const { rows } = await pool.query<{ created_at: Date; expires_at: Date }>(
    `INSERT INTO cli_tokens (id, login, role, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))
     RETURNING created_at, expires_at`,
    [id, holder.login, holder.role, ttlMs],
  );
  const row = rows[0]!;
  return { createdAt: row.created_at, expiresAt: row.expires_at };
}

/** Marks the use of a token that is neither revoked nor expired; undefined when there is no such token. */
export async function useCliToken(pool: Pool, id: string): Promise<(CliTokenHolder & { expiresAt: Date }) | undefined> {
  const { rows } = await pool.query<CliTokenHolder & { expires_at: Date }>(
    `UPDATE cli_tokens SET last_used_at = now()
      WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()
      RETURNING login, role, expires_at`,
    [id],
  );
  const row = rows[0];
  return row && { login: row.login, role: row.role, expiresAt: row.expires_at };
}

/** Whom a token was issued to and whether it was revoked, whatever its state; undefined for an unknown token. */
export async function findCliToken(pool: Pool, id: string): Promise<{ login: string; revoked: boolean } | undefined> {
  const { rows } = await pool.query<{ login: string; revoked: boolean }>(
    `SELECT login, revoked_at IS NOT NULL AS revoked FROM cli_tokens WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** Revokes a token not revoked yet; false when there was none to revoke. */
export async function revokeCliToken(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE cli_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}
