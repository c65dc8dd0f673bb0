import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { ConsoleRole, ConsoleUser } from '../config/console.js';

/**
 * Who may do what in the compliance console and CLI (seed 003 p.55(2): at least administrator and user).
 *   auditor  reads everything — inboxes, items, journal, availability — and changes nothing;
 *   officer  also acts on items: retry, correct and resubmit, incident cards, offline reviews, take an item;
 *   admin    also assigns items to others and records counterparts' planned maintenance.
 * Credentials come from configuration (CONSOLE_USERS); sessions are HMAC-signed tokens with an expiry
 * (STYLE anti-pattern 16: never an unsigned capability).
 */
export type Permission = 'read' | 'act' | 'assign-others' | 'maintenance' | 'decode-payloads';

const GRANTS: Record<ConsoleRole, Permission[]> = {
  auditor: ['read'],
  officer: ['read', 'act', 'decode-payloads'],
  admin: ['read', 'act', 'assign-others', 'maintenance', 'decode-payloads'],
};

export interface Actor {
  login: string;
  role: ConsoleRole;
}

export function can(actor: Actor, permission: Permission): boolean {
  return GRANTS[actor.role].includes(permission);
}

/** `scrypt$<salt hex>$<hash hex>`, for CONSOLE_USERS: `npm run cli -- console hash-password`. */
export function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32).toString('hex')}`;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkPassword(user: ConsoleUser, password: string): boolean {
  const parts = user.secret.split('$');
  if (parts.length === 3 && parts[0] === 'scrypt') {
    const salt = Buffer.from(parts[1]!, 'hex');
    return same(scryptSync(password, salt, 32), Buffer.from(parts[2]!, 'hex'));
  }
  // Plain secrets (development): compared through an HMAC so the comparison takes the same time either way.
  const digest = (s: string) => createHmac('sha256', 'console-password').update(s).digest();
  return same(digest(password), digest(user.secret));
}

export function authenticate(users: ConsoleUser[], login: string, password: string): Actor | undefined {
  const user = users.find((u) => u.login === login);
  if (!user) {
    checkPassword({ login, role: 'auditor', secret: hashPassword('x', Buffer.alloc(16)) }, password); // same work for unknown logins
    return undefined;
  }
  return checkPassword(user, password) ? { login: user.login, role: user.role } : undefined;
}

/** `login.role.expiresMs.signature` (base64url HMAC-SHA256 under CONSOLE_SESSION_SECRET). */
export function issueSession(actor: Actor, secret: string, ttlMs: number, nowMs = Date.now()): string {
  const body = `${actor.login}.${actor.role}.${nowMs + ttlMs}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The actor a session token names, if its signature holds, it has not expired, and the user still exists with that role. */
export function readSession(token: string, secret: string, users: ConsoleUser[], nowMs = Date.now()): Actor | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [login, role, expires, signature] = parts as [string, string, string, string];
  const expected = createHmac('sha256', secret).update(`${login}.${role}.${expires}`).digest();
  if (!same(Buffer.from(signature, 'base64url'), expected)) return undefined;
  if (!(Number(expires) > nowMs)) return undefined;
  const user = users.find((u) => u.login === login && u.role === role);
  return user ? { login: user.login, role: user.role } : undefined;
}

/** `Authorization: Basic …` for scripts and the API. */
export function basicCredentials(header: string | undefined): { login: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
