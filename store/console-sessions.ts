import type { Pool } from '../db/pool.js';

/**
 * The compliance console's server-side sessions (migration 015, `console_sessions`): each row is a session by the
 * SHA-256 of its cookie (the console hashes the token; the table never sees it), the officer's login and role, when
 * it was opened, last seen and ended, and why it ended. Which sessions hold is the console's (console/sessions.ts).
 */
export interface SessionHolder {
  login: string;
  role: string;
}

/** Opens a session for the officer under the cookie's hash. */
export async function openConsoleSession(pool: Pool, id: string, holder: SessionHolder): Promise<void> {
  await pool.query(`INSERT INTO console_sessions (id, login, role) VALUES ($1, $2, $3)`, [
    id,
    holder.login,
    holder.role,
  ]);
}

/**
 * Moves a live session's idle clock and answers who holds it: undefined when it is unknown, ended, idle longer
 * than `idleMs` or older than `absoluteMs`.
 */
export async function touchConsoleSession(
  pool: Pool,
  id: string,
  { idleMs, absoluteMs }: { idleMs: number; absoluteMs: number },
): Promise<SessionHolder | undefined> {
  const { rows } = await pool.query<SessionHolder>(
    `UPDATE console_sessions SET last_seen_at = now()
      WHERE id = $1 AND ended_at IS NULL
        AND last_seen_at > now() - make_interval(secs => $2::double precision / 1000)
        AND created_at > now() - make_interval(secs => $3::double precision / 1000)
      RETURNING login, role`,
    [id, idleMs, absoluteMs],
  );
  return rows[0];
}

/** Ends a session that is still open, saying why (`logout`, …); false when there was none to end. */
export async function endConsoleSession(pool: Pool, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE console_sessions SET ended_at = now(), end_reason = $2 WHERE id = $1 AND ended_at IS NULL`,
    [id, reason],
  );
  return (rowCount ?? 0) > 0;
}
