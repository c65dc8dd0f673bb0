import { scrypt, type ScryptOptions } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConsoleUsers } from '../../config/console.js';
import { can, createAuthenticator, hashPassword, parseHash, SCRYPT_PARAMS, type ScryptFn } from '../../console/auth.js';
import { createSignInThrottle } from '../../console/sign-in-throttle.js';
import { csvCell, rangeBounds } from '../../console/journal-export.js';

// Cheap parameters for the unit tests' own hashes; the default (N = 2^17) is checked once below.
const FAST = { N: 1024, r: 8, p: 1 };
const users = parseConsoleUsers(
  `aigerim:officer:${hashPassword('s3cret-officer', undefined, FAST)},daniyar:admin:plain-admin,saule:auditor:${hashPassword('read-only', undefined, FAST)}`,
);
const SECRET = 'test-session-secret-of-at-least-32-chars';

describe('console roles (National Bank resolution No. 116, item 55(2))', () => {
  it('lets an auditor only read, an officer act, and an administrator assign and record maintenance', () => {
    const [officer, admin, auditor] = [
      { login: 'a', role: 'officer' },
      { login: 'd', role: 'admin' },
      { login: 's', role: 'auditor' },
    ] as const;
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(auditor, p as never))).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(officer, p as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(admin, p as never))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('checks scrypt-hashed and plain (development) secrets', async () => {
    const authenticate = (list: typeof users, login: string, password: string) =>
      createAuthenticator(() => list).authenticate(login, password);
    expect(await authenticate(users, 'aigerim', 's3cret-officer')).toEqual({ login: 'aigerim', role: 'officer' });
    expect(await authenticate(users, 'aigerim', 's3cret-officeR')).toBeUndefined();
    expect(await authenticate(users, 'daniyar', 'plain-admin')).toEqual({ login: 'daniyar', role: 'admin' });
    expect(await authenticate(users, 'nobody', 'plain-admin')).toBeUndefined();
  });

  it('refuses a malformed user list, naming the user', () => {
    expect(() => parseConsoleUsers('aigerim:superuser:x')).toThrow(/CONSOLE_USERS.*aigerim/);
    expect(() => parseConsoleUsers('a1:admin:x,a1:officer:y')).toThrow(/appears twice/);
  });
});

describe('console passwords (issue 14)', () => {
  const counting = () => {
    const calls: ScryptOptions[] = [];
    const fn: ScryptFn = (password, salt, keylen, options) => {
      calls.push(options);
      return new Promise((resolve, reject) =>
        scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
      );
    };
    return { calls, fn };
  };

  it('stores the scrypt parameters with the hash, N at least 2^17 by default, and still reads the older form', async () => {
    const stored = hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$N=131072:r=8:p=1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(parseHash(stored)!.params).toEqual(SCRYPT_PARAMS);
    expect(SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 17);
    const auth = createAuthenticator(() => [{ login: 'a1', role: 'admin', secret: stored }]);
    expect(await auth.authenticate('a1', 'correct horse')).toEqual({ login: 'a1', role: 'admin' });
    expect(parseHash('scrypt$00112233445566778899aabbccddeeff$' + '00'.repeat(32))!.params.N).toBe(16384);
  });

  it('costs an unknown login exactly one verification, as a known one', async () => {
    const { calls, fn } = counting();
    const auth = createAuthenticator(() => users, fn);
    expect(await auth.authenticate('aigerim', 'wrong')).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(await auth.authenticate('nobody-here', 'wrong')).toBeUndefined();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.N).toBeGreaterThanOrEqual(calls[0]!.N!); // the dummy is never cheaper than a real hash
  });

  it('verifies off the event loop: the loop turns while sign-ins are in flight', async () => {
    const order: string[] = [];
    const auth = createAuthenticator(() => users);
    setImmediate(() => order.push('event loop'));
    const attempts = Array.from({ length: 5 }, () =>
      auth.authenticate('aigerim', 'wrong').then(() => order.push('sign-in')),
    );
    await Promise.all(attempts);
    expect(order[0]).toBe('event loop');
    expect(order.filter((o) => o === 'sign-in')).toHaveLength(5);
  });

  it('runs at most two verifications at once and refuses a flood beyond the queue', async () => {
    let running = 0;
    let peak = 0;
    const fn: ScryptFn = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return Buffer.alloc(32);
    };
    const auth = createAuthenticator(() => users, fn);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => auth.authenticate('aigerim', 'x')));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(66);
  });
});

describe('sign-in backoff instead of a lock (issue 14)', () => {
  it('slows the guessing address for long, but the login elsewhere by at most 30 s', () => {
    let now = 0;
    const throttle = createSignInThrottle({ now: () => now });
    for (let i = 0; i < 12; i++) {
      expect(throttle.waitMs('203.0.113.9', 'daniyar')).toBe(0);
      throttle.failed('203.0.113.9', 'daniyar');
      now += throttle.waitMs('203.0.113.9', 'daniyar');
    }
    throttle.failed('203.0.113.9', 'daniyar');
    expect(throttle.waitMs('203.0.113.9', 'daniyar')).toBeGreaterThan(60_000);
    expect(throttle.waitMs('198.51.100.7', 'daniyar')).toBeLessThanOrEqual(30_000);
    now += 30_000;
    expect(throttle.waitMs('198.51.100.7', 'daniyar')).toBe(0);
    throttle.succeeded('198.51.100.7', 'daniyar');
    expect(throttle.waitMs('198.51.100.7', 'daniyar')).toBe(0);
  });

  it('lets the first failures through, forgets old ones, and keeps its map bounded', () => {
    let now = 0;
    const throttle = createSignInThrottle({ now: () => now, maxEntries: 100 });
    for (let i = 0; i < 3; i++) throttle.failed('a', 'u');
    expect(throttle.waitMs('a', 'u')).toBe(1000);
    now += 16 * 60_000;
    expect(throttle.waitMs('a', 'u')).toBe(0);
    for (let i = 0; i < 10_000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`, `user${i}`);
    expect(throttle.size).toBeLessThanOrEqual(100);
  });
});

describe('journal export helpers', () => {
  it('quotes CSV cells and neutralises spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('takes a day as midnight to midnight at the configured offset', () => {
    const { fromMs, toMs } = rangeBounds({ day: '2026-03-10' }, 300);
    expect(new Date(fromMs!).toISOString()).toBe('2026-03-09T19:00:00.000Z');
    expect(toMs! - fromMs!).toBe(86_400_000);
    const range = rangeBounds({ from: '2026-03-01', to: '2026-03-31' }, 300);
    expect((range.toMs! - range.fromMs!) / 86_400_000).toBe(31);
  });
});
