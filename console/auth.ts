import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ConsoleRole, ConsoleUser } from '../config/console.js';
import { parseHash, SCRYPT_PARAMS, type ParsedHash, type ScryptParams } from '../crypto/password-hash.js';

export { parseHash, SCRYPT_PARAMS, type ParsedHash, type ScryptParams };

/**
 * Who may do what in the compliance console and CLI (National Bank resolution No. 116, item 55(2): at least administrator and user).
 *   auditor  reads everything — inboxes, items, journal, availability — and changes nothing;
 *   officer  also acts on items: retry, correct and resubmit, incident cards, offline reviews, take an item;
 *   admin    also assigns items to others and records counterparts' planned maintenance.
 * Credentials come from configuration (CONSOLE_USERS); sessions are random tokens kept (as their SHA-256) in
 * PostgreSQL with idle and absolute timeouts (console/sessions.ts), so a logout ends them.
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

/**
 * Password hashes carry their parameters: `scrypt$N=131072:r=8:p=1$<salt hex>$<hash hex>` (`npm run cli --
 * console hash-password`). The older `scrypt$<salt hex>$<hash hex>` (Node's defaults, N=16384) still verifies.
 * Verification runs on libuv's thread pool (async scrypt), never on the event loop, at most
 * MAX_CONCURRENT_VERIFICATIONS at a time: each takes 128 × N × r bytes (128 MiB at N = 2^17).
 */
const KEY_LENGTH = 32;
const MAX_CONCURRENT_VERIFICATIONS = 2;
const MAX_QUEUED_VERIFICATIONS = 64;

const maxmem = ({ N, r, p }: ScryptParams) => 128 * N * r * (p + 1) + 1024 * 1024;

export function hashPassword(password: string, salt = randomBytes(16), params: ScryptParams = SCRYPT_PARAMS): string {
  const hash = scryptSync(password, salt, KEY_LENGTH, { ...params, maxmem: maxmem(params) });
  return `scrypt$N=${params.N}:r=${params.r}:p=${params.p}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export type ScryptFn = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;
const scryptAsync: ScryptFn = (password, salt, keylen, options) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

export class TooManySignIns extends Error {
  override readonly name = 'TooManySignIns';
}

/**
 * Checks logins and passwords. An unknown login costs one scrypt with the default parameters (a dummy
 * verification), as a known one does, so timing does not tell which logins exist.
 */
export function createAuthenticator(users: () => ConsoleUser[], scryptImpl: ScryptFn = scryptAsync) {
  let running = 0;
  const waiting: (() => void)[] = [];
  async function limited<T>(run: () => Promise<T>): Promise<T> {
    if (running >= MAX_CONCURRENT_VERIFICATIONS) {
      if (waiting.length >= MAX_QUEUED_VERIFICATIONS)
        throw new TooManySignIns('too many sign-ins at once: try again in a moment');
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await run();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }
  const dummy: ParsedHash = { params: SCRYPT_PARAMS, salt: randomBytes(16), hash: randomBytes(KEY_LENGTH) };

  async function verify(stored: ParsedHash, password: string): Promise<boolean> {
    const key = await limited(() =>
      scryptImpl(password, stored.salt, stored.hash.length || KEY_LENGTH, {
        ...stored.params,
        maxmem: maxmem(stored.params),
      }),
    );
    return same(key, stored.hash);
  }

  return {
    async checkPassword(user: ConsoleUser, password: string): Promise<boolean> {
      const parsed = parseHash(user.secret);
      if (parsed) return verify(parsed, password);
      // Plain secrets (development only; production refuses them): compared through an HMAC, in constant time.
      const digest = (s: string) => createHmac('sha256', 'console-password').update(s).digest();
      return same(digest(password), digest(user.secret));
    },
    async authenticate(login: string, password: string): Promise<Actor | undefined> {
      const user = users().find((u) => u.login === login);
      if (!user) {
        await verify(dummy, password); // the same work for an unknown login, always false
        return undefined;
      }
      return (await this.checkPassword(user, password)) ? { login: user.login, role: user.role } : undefined;
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

/** `Authorization: Basic …` for scripts and the API. */
export function basicCredentials(header: string | undefined): { login: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
