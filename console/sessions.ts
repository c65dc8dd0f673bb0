import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import type { ConsoleUser } from '../config/console.js';
import type { Actor } from './auth.js';

/**
 * Server-side console sessions (migration 015): the cookie carries 32 random bytes, the table their SHA-256.
 * A session holds while it is neither ended (logout) nor idle longer than `idleMs` nor older than
 * `absoluteMs`, and while its user still exists with that role. Each use moves its idle clock.
 */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const idOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function createSessionStore(pool: Pool, timeouts: SessionTimeouts, users: () => ConsoleUser[]) {
  return {
    async open(actor: Actor): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await pool.query(`INSERT INTO console_sessions (id, login, role) VALUES ($1, $2, $3)`, [
        idOf(token),
        actor.login,
        actor.role,
      ]);
      return token;
    },

    /** The actor of a live session, touching it; undefined for a malformed, unknown, ended or timed-out token. */
    async read(token: string): Promise<Actor | undefined> {
      if (!TOKEN.test(token)) return undefined;
      const { rows } = await pool.query(
        `UPDATE console_sessions SET last_seen_at = now()
          WHERE id = $1 AND ended_at IS NULL
            AND last_seen_at > now() - make_interval(secs => $2::double precision / 1000)
            AND created_at > now() - make_interval(secs => $3::double precision / 1000)
          RETURNING login, role`,
        [idOf(token), timeouts.idleMs, timeouts.absoluteMs],
      );
      const row = rows[0] as { login: string; role: string } | undefined;
      const user = row && users().find((u) => u.login === row.login && u.role === row.role);
      return user ? { login: user.login, role: user.role } : undefined;
    },

    async end(token: string, reason = 'logout'): Promise<boolean> {
      if (!TOKEN.test(token)) return false;
      const { rowCount } = await pool.query(
        `UPDATE console_sessions SET ended_at = now(), end_reason = $2 WHERE id = $1 AND ended_at IS NULL`,
        [idOf(token), reason],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
