import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { findCliToken, insertCliToken, revokeCliToken, useCliToken } from '../store/cli-tokens.js';
import type { ConsoleUser } from '../config/console.js';
import type { Actor } from './auth.js';

/**
 * Tokens for the CLI (migration 019): `esu-bridge login` signs in through the console and gets one; the CLI sends
 * it as `Authorization: Bearer …`. The token is `ebt_` and 32 random bytes (base64url), shown once; the table keeps
 * its SHA-256, the user and role it was issued to, when it was issued, used last, expires and was revoked. It holds
 * until it expires or is revoked, and only while its user still exists with that role.
 */
export const CLI_TOKEN = /^ebt_[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Why a token was refused: said in the 401 and journalled. */
export type TokenRefusal = 'malformed' | 'unknown' | 'expired' | 'revoked' | 'user-changed';

export const TOKEN_REFUSALS: Record<TokenRefusal, string> = {
  malformed: 'the token is not one the console issues',
  unknown: 'the token is unknown to this console',
  expired: 'the token has expired',
  revoked: 'the token was revoked (esu-bridge logout)',
  'user-changed': "the token's user no longer exists with that role",
};

export interface IssuedToken {
  token: string;
  /** The first 12 hex digits of its SHA-256: names the token in the journal without revealing it. */
  tokenId: string;
  login: string;
  role: Actor['role'];
  createdAt: string;
  expiresAt: string;
}

export type TokenCheck =
  | { ok: true; actor: Actor; tokenId: string; expiresAt: string }
  | { ok: false; refused: TokenRefusal; login?: string; tokenId?: string };

export function createCliTokenStore(pool: Pool, ttlMs: number, users: () => ConsoleUser[]) {
  return {
    async issue(actor: Actor): Promise<IssuedToken> {
      const token = `ebt_${randomBytes(32).toString('base64url')}`;
      const id = hashOf(token);
      const { createdAt, expiresAt } = await insertCliToken(pool, id, actor, ttlMs);
      return {
        token,
        tokenId: id.slice(0, 12),
        login: actor.login,
        role: actor.role,
        createdAt: createdAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
    },

    /** The actor a token stands for, marking its use; or why it is refused. */
    async check(token: string): Promise<TokenCheck> {
      if (!CLI_TOKEN.test(token)) return { ok: false, refused: 'malformed' };
      const id = hashOf(token);
      const tokenId = id.slice(0, 12);
      const row = await useCliToken(pool, id);
      if (!row) {
        const known = await findCliToken(pool, id);
        if (!known) return { ok: false, refused: 'unknown' };
        return { ok: false, refused: known.revoked ? 'revoked' : 'expired', login: known.login, tokenId };
      }
      const user = users().find((u) => u.login === row.login && u.role === row.role);
      if (!user) return { ok: false, refused: 'user-changed', login: row.login, tokenId };
      return {
        ok: true,
        actor: { login: user.login, role: user.role },
        tokenId,
        expiresAt: row.expiresAt.toISOString(),
      };
    },

    async revoke(token: string): Promise<boolean> {
      if (!CLI_TOKEN.test(token)) return false;
      return revokeCliToken(pool, hashOf(token));
    },
  };
}
export type CliTokenStore = ReturnType<typeof createCliTokenStore>;

/** `Authorization: Bearer …`: the token, or undefined when the header is not a bearer one. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S*)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}
