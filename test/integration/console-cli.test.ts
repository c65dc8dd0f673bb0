import { createHash } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWithOffset } from '../../domain/incident.js';
import { startFileStack } from '../support/stack.js';
import { CONSOLE_TEST_USERS, PASSWORDS, signIn, startTestConsole } from '../support/console.js';
import { completeCard } from '../support/incident-card.js';
import { uniqueId } from '../support/ids.js';
import { withJournalTriggersOff } from '../support/journal.js';
import { esuBridge, UNREACHABLE, type CliRun } from '../support/processes.js';

/**
 * The CLI against a real console server (one for the file): `esu-bridge login` signs in through the console and
 * keeps the token it issues; every console action is a call of the console's API with that token, and the server
 * decides who acts. The CLI's processes get no database and no Temporal they could reach: they could not act
 * in-process if they tried.
 */
let stack: Awaited<ReturnType<typeof startFileStack>>;
let consoleServer: Awaited<ReturnType<typeof startTestConsole>>;
let dir: string;

beforeAll(async () => {
  stack = await startFileStack();
  consoleServer = await startTestConsole(stack);
  dir = await mkdtemp(path.join(tmpdir(), 'esu-cli-'));
});

afterAll(async () => {
  await consoleServer?.close();
  await stack?.stop();
});

type Run = CliRun;
const configHome = (login: string) => path.join(dir, login);

/** Expects the run to exit with `code` and, when `says` is given, its stderr to contain it. */
function expectExit(run: Run, code: number, says?: string): void {
  expect(run.code, run.stderr).toBe(code);
  if (says !== undefined) expect(run.stderr).toContain(says);
}

/** A console command as `login` (after `esu-bridge login` with that user's config folder). */
const cli = (args: string[], login = 'aigerim', extra: NodeJS.ProcessEnv = {}) =>
  esuBridge(args, { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: configHome(login), ...UNREACHABLE, ...extra });

const login = (user: string) =>
  esuBridge(
    ['login', '--console', consoleServer.url, '--json'],
    { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: configHome(user), ...UNREACHABLE },
    `${user}\n${PASSWORDS[user]}\n`,
  );

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, JSON.stringify(content));
  return p;
}

const journalOf = async (recordId: string) =>
  (
    await stack.pool.query(
      `SELECT event, actor, result, details FROM journal WHERE record_id = $1 ORDER BY chain_seq`,
      [recordId],
    )
  ).rows as { event: string; actor: string; result: string; details: Record<string, unknown> }[];

const me = (token: string) =>
  fetch(new URL('/api/me', consoleServer.url), { headers: { authorization: `Bearer ${token}` } });

describe('console CLI: who acts is the console’s word', () => {
  it('refuses a self-asserted user: CONSOLE_USERS and CONSOLE_USER in the caller’s own environment sign nobody in', async () => {
    const claimed = await cli(['list', 'incidents', '--json'], 'nobody', {
      ...stack.env,
      XDG_CONFIG_HOME: configHome('nobody'),
      ESU_BRIDGE_CONSOLE_URL: consoleServer.url,
      CONSOLE_USERS: 'mallory:admin:mallory-pw',
      CONSOLE_USER: 'mallory',
      CONSOLE_PASSWORD: 'mallory-pw',
    });
    expect(claimed.code).toBe(5);
    expect(JSON.parse(claimed.stderr).error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(claimed.stderr).toContain('esu-bridge login');
    expect(await journalOf('user:mallory')).toEqual([]);
  }, 300_000);

  it('signs in with the password on stdin and keeps the token 0600; whoami is what the console says', async () => {
    for (const user of ['aigerim', 'saule']) {
      const out = await login(user);
      expect(out.code, out.stderr).toBe(0);
      const shown = JSON.parse(out.stdout);
      expect(shown).toMatchObject({ url: consoleServer.url, login: user });
      const stored = path.join(configHome(user), 'esu-bridge', 'console.json');
      expect(shown.file).toBe(stored);
      expect((await stat(stored)).mode & 0o777).toBe(0o600);
      const saved = JSON.parse(await readFile(stored, 'utf8'));
      expect(saved.token).toMatch(/^ebt_[A-Za-z0-9_-]{43}$/);
      expect(out.stdout + out.stderr).not.toContain(PASSWORDS[user]!);
      expect(out.stdout).not.toContain(saved.token);
      // Stored hashed: the table has the token's SHA-256, never the token.
      const { rows } = await stack.pool.query(
        `SELECT id, login, role, expires_at - created_at AS ttl FROM cli_tokens WHERE login = $1`,
        [user],
      );
      expect(rows.map((r) => r.id)).not.toContain(saved.token);
      expect(rows.at(-1)!.ttl).toMatchObject({ hours: 8 });
    }
    const issued = await journalOf('user:aigerim');
    expect(issued.map((e) => e.event)).toEqual(
      expect.arrayContaining(['console.signed-in', 'console.cli-token-issued', 'console.signed-out']),
    );
    const who = await cli(['whoami'], 'saule');
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(/^saule \(auditor\) at http:\/\/127\.0\.0\.1:\d+: read; token [0-9a-f]{12} until /);

    const wrong = await esuBridge(
      ['login', '--console', consoleServer.url],
      { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: configHome('wrong') },
      'aigerim\nnot-the-password\n',
    );
    expectExit(wrong, 5, 'wrong login or password');
  }, 600_000);

  it('opens, amends and submits an incident through the console, journalled as the signed-in officer', async () => {
    const id = uniqueId('INC-cli');
    const detectedAt = isoWithOffset(Date.now() - 3 * 3600_000, 300);
    const opened = await cli([
      'incident',
      'open',
      '--id',
      id,
      '--file',
      await file('draft.json', { name: 'Malware alert on the gateway host', detectedAt }),
      '--json',
    ]);
    expect(opened.code, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ incidentId: id, joined: false, state: { status: 'OPEN' } });

    expectExit(await cli(['incident', 'submit', id]), 3, 'row 6 symptoms: required');

    const { name: _n, detectedAt: _d, ...rest } = completeCard(detectedAt, { mainEvents: ['MALWARE'] });
    expect((await cli(['incident', 'amend', id, '--file', await file('patch.json', rest)])).code).toBe(0);
    const submitted = await cli(['incident', 'submit', id, '--json']);
    expect(submitted.code).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ status: 'SUBMITTED', timeliness: 'ON_TIME' });

    const listed = await cli(['list', 'incidents', '--status', 'SUBMITTED', '--json']);
    expect(JSON.parse(listed.stdout).items.map((i: { id: string }) => i.id)).toContain(id);
    expectExit(await cli(['incident', 'close', id], 'saule'), 5, 'saule is an auditor'); // auditors only read
    expect((await cli(['incident', 'close', id])).code).toBe(0);

    const entries = await journalOf(id);
    expect(entries.filter((e) => e.result === 'OK').map((e) => [e.event, e.actor])).toEqual(
      expect.arrayContaining([
        ['console.incident-amended', 'aigerim'],
        ['console.incident-submitted', 'aigerim'],
        ['console.incident-closed', 'aigerim'],
      ]),
    );
    expect(entries.find((e) => e.event === 'console.incident-closed' && e.result === 'REFUSED')?.actor).toBe('saule');
  }, 600_000);

  it("holds the role the console gave the token: an auditor's token cannot approve a correction", async () => {
    const refused = await cli(['resubmission', 'afm-dep-cli-none', 'approve', '--json'], 'saule');
    expect(refused.code).toBe(5);
    expect(JSON.parse(refused.stderr).error).toMatchObject({ code: 'FORBIDDEN' });
    const [entry] = await journalOf('afm-dep-cli-none');
    expect(entry).toMatchObject({
      event: 'console.submission-resubmission-approved',
      actor: 'saule',
      result: 'REFUSED',
    });
  }, 300_000);

  it('answers usage errors with 2, unknown items with 4, and a missing inbox source with 6', async () => {
    expect((await cli(['list', 'bogus'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['show', 'incidents', 'INC-never-opened'])).code).toBe(4);
    const present = (await stack.pool.query(`SELECT to_regclass('public.submissions') IS NOT NULL AS p`)).rows[0].p;
    if (!present) expect((await cli(['list', 'submissions'])).code).toBe(6);
  }, 600_000);

  it('verifies the journal (exit 7 when tampering shows) and exports a day to a file', async () => {
    expect((await cli(['journal', 'verify'])).code).toBe(0);
    const row = (await stack.pool.query(`SELECT id, actor FROM journal ORDER BY chain_seq DESC LIMIT 1 OFFSET 3`))
      .rows[0];
    const swap = (actor: string) =>
      withJournalTriggersOff(stack.pool, (db) =>
        db.query('UPDATE journal SET actor = $1 WHERE id = $2', [actor, row.id]),
      );
    await swap('mallory');
    try {
      const tampered = await cli(['journal', 'verify', '--json'], 'saule');
      expect(tampered.code).toBe(7);
      expect(JSON.parse(tampered.stdout).problems[0].kind).toBe('ALTERED');
    } finally {
      await swap(row.actor);
    }

    const today = isoWithOffset(Date.now(), 300).slice(0, 10);
    const out = path.join(dir, 'journal.csv');
    const exported = await cli(['journal', 'export', '--day', today, '--out', out], 'saule');
    expect(exported.code, exported.stderr).toBe(0);
    const csv = await readFile(out, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,started_at,event,actor,record_id,ended_at,result,details,hash');
    const rows = csv.split('\r\n').filter(Boolean).length - 1;
    expect(exported.stdout).toContain(`${rows} entries written to ${out}`);
    expect(JSON.parse(await readFile(`${out}.head.json`, 'utf8'))).toHaveProperty('seq');
  }, 600_000);
});

describe('console CLI: tokens that no longer hold', () => {
  it('logout revokes the token (it then answers 401 revoked) and deletes the file', async () => {
    expect((await login('erlan')).code).toBe(0);
    const stored = path.join(configHome('erlan'), 'esu-bridge', 'console.json');
    const { token } = JSON.parse(await readFile(stored, 'utf8'));
    expect((await me(token)).status).toBe(200);
    const out = await cli(['logout'], 'erlan');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('token revoked');
    await expect(stat(stored)).rejects.toThrow(/ENOENT/);
    const revoked = await cli(['list', 'incidents'], 'erlan', {
      ESU_BRIDGE_CONSOLE_TOKEN: token,
      ESU_BRIDGE_CONSOLE_URL: consoleServer.url,
    });
    expectExit(revoked, 5, 'the token was revoked');
    const entries = await journalOf('user:erlan');
    expect(entries.map((e) => [e.event, e.result])).toEqual(
      expect.arrayContaining([
        ['console.cli-token-revoked', 'OK'],
        ['console.signed-in', 'REFUSED'],
      ]),
    );
    expect(entries.find((e) => e.result === 'REFUSED')?.details).toMatchObject({ method: 'token', refused: 'revoked' });
  }, 600_000);

  it('answers an expired and a forged token 401 naming why; bad tokens meet the sign-ins’ throttle, good ones do not', async () => {
    const session = await signIn(consoleServer.url, 'daniyar');
    const issued = (await session.post('/api/cli-tokens')).body as { token: string; expiresAt: string };
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    const good = (await session.post('/api/cli-tokens')).body.token as string;
    await stack.pool.query(
      `UPDATE cli_tokens SET created_at = now() - interval '9 hours', expires_at = now() - interval '1 hour' WHERE id = $1`,
      [createHash('sha256').update(issued.token).digest('hex')],
    );
    const expired = await me(issued.token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: unknown }).error).toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'expired' },
    });

    const forged = await me(`ebt_${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toContain(
      'the token is unknown to this console',
    );
    const [refusal] = (
      await stack.pool.query(
        `SELECT actor, result, details FROM journal WHERE event = 'console.signed-in' AND details->>'refused' = 'unknown' ORDER BY chain_seq DESC LIMIT 1`,
      )
    ).rows;
    expect(refusal).toMatchObject({ actor: '(token)', result: 'REFUSED', details: { method: 'token' } });

    const malformed = await me('not-a-token');
    expect(malformed.status).toBe(401);
    expect(((await malformed.json()) as { error: { details: unknown } }).error.details).toEqual({
      reason: 'malformed',
    });
    // The expired, the forged and the malformed token: three failures from this address; the next bad one waits.
    const held = await me(`ebt_${'B'.repeat(43)}`);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await me(good)).status).toBe(200);
    // A token cannot mint another: only a signed-in officer can.
    const minted = await fetch(new URL('/api/cli-tokens', consoleServer.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${good}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(minted.status).toBe(403);
  }, 300_000);
});

describe('esu-bridge', () => {
  const local = (args: string[]) => esuBridge(args, { ...stack.env, CONSOLE_USERS: CONSOLE_TEST_USERS });

  it('lists every command and the exit codes in --help, and each command its own flags', async () => {
    const help = await local(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'journal',
      'incident',
      'migrate',
      'backup',
      'restore',
      'retention',
      'migration',
      'console',
      'api',
      'login',
      'logout',
      'whoami',
    ])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
    expect(help.stdout).toContain('7  the journal verification found tampering');
    const verify = await local(['journal', 'verify', '--help']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('--anchor');
  }, 300_000);

  it('answers a usage error with 2 and a message naming the flag', async () => {
    const usageErrors: [args: string[], says: string][] = [
      [['journal', 'verify', '--anchr', 'head.json'], 'unknown option --anchr'],
      [['backup'], '--out'],
      [['retention', '--dry-run', '--as-of'], '--as-of needs a value'],
    ];
    for (const [args, says] of usageErrors) expectExit(await local(args), 2, says);
  }, 300_000);

  it("migrates the stack's database on the server itself, and verifies its journal through the console, in JSON", async () => {
    const migrated = await local(['migrate', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const { applied, total } = JSON.parse(migrated.stdout) as { applied: string[]; total: number };
    expect(applied).toEqual([]); // the stack migrated it when it started
    expect(total).toBeGreaterThan(10);
    const verified = await cli(['journal', 'verify', '--json'], 'saule');
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, problems: [] });
    expect(JSON.parse(verified.stdout).checked).toBeGreaterThan(0);
  }, 300_000);
});
