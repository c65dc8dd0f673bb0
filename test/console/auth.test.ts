import { describe, expect, it } from 'vitest';
import { parseConsoleUsers } from '../../config/console.js';
import { authenticate, can, hashPassword, issueSession, readSession } from '../../console/auth.js';
import { csvCell, rangeBounds } from '../../console/journal-export.js';

const users = parseConsoleUsers(`aigerim:officer:${hashPassword('s3cret-officer')},daniyar:admin:plain-admin,saule:auditor:${hashPassword('read-only')}`);
const SECRET = 'test-session-secret-of-at-least-32-chars';

describe('console roles (seed 003 p.55(2))', () => {
  it('lets an auditor only read, an officer act, and an administrator assign and record maintenance', () => {
    const [officer, admin, auditor] = [{ login: 'a', role: 'officer' }, { login: 'd', role: 'admin' }, { login: 's', role: 'auditor' }] as const;
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(auditor, p as never))).toEqual([true, false, false, false]);
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(officer, p as never))).toEqual([true, true, false, false]);
    expect(['read', 'act', 'assign-others', 'maintenance'].map((p) => can(admin, p as never))).toEqual([true, true, true, true]);
  });

  it('checks scrypt-hashed and plain (development) secrets', () => {
    expect(authenticate(users, 'aigerim', 's3cret-officer')).toEqual({ login: 'aigerim', role: 'officer' });
    expect(authenticate(users, 'aigerim', 's3cret-officeR')).toBeUndefined();
    expect(authenticate(users, 'daniyar', 'plain-admin')).toEqual({ login: 'daniyar', role: 'admin' });
    expect(authenticate(users, 'nobody', 'plain-admin')).toBeUndefined();
  });

  it('refuses a malformed user list, naming the user', () => {
    expect(() => parseConsoleUsers('aigerim:superuser:x')).toThrow(/CONSOLE_USERS.*aigerim/);
    expect(() => parseConsoleUsers('a1:admin:x,a1:officer:y')).toThrow(/appears twice/);
  });
});

describe('console sessions', () => {
  const now = Date.parse('2026-03-10T09:00:00Z');
  const token = issueSession({ login: 'aigerim', role: 'officer' }, SECRET, 3600_000, now);

  it('names the signed-in user until it expires', () => {
    expect(readSession(token, SECRET, users, now + 1000)).toEqual({ login: 'aigerim', role: 'officer' });
    expect(readSession(token, SECRET, users, now + 3600_001)).toBeUndefined();
  });

  it('refuses a token whose role or signature was changed, or whose user was removed', () => {
    expect(readSession(token.replace('.officer.', '.admin.'), SECRET, users, now)).toBeUndefined();
    expect(readSession(token, 'another-secret-of-at-least-32-characters', users, now)).toBeUndefined();
    expect(readSession(token, SECRET, users.filter((u) => u.login !== 'aigerim'), now)).toBeUndefined();
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
