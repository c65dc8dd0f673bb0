import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { endConsoleSession, openConsoleSession, touchConsoleSession } from '../store/console-sessions.js';
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
      await openConsoleSession(pool, idOf(token), actor);
      return token;
    },

    /** The actor of a live session, touching it; undefined for a malformed, unknown, ended or timed-out token. */
    async read(token: string): Promise<Actor | undefined> {
      if (!TOKEN.test(token)) return undefined;
      const row = await touchConsoleSession(pool, idOf(token), timeouts);
      const user = row && users().find((u) => u.login === row.login && u.role === row.role);
      return user ? { login: user.login, role: user.role } : undefined;
    },

    async end(token: string, reason = 'logout'): Promise<boolean> {
      if (!TOKEN.test(token)) return false;
      return endConsoleSession(pool, idOf(token), reason);
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
