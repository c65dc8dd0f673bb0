import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWithOffset } from '../../domain/incident.js';
import { REPO_ROOT } from '../../stack/paths.js';
import { startFileStack } from '../support/stack.js';
import { CONSOLE_TEST_USERS, PASSWORDS } from '../support/console.js';
import { completeCard } from '../support/incident-card.js';
import { uniqueId } from '../support/ids.js';

let stack: Awaited<ReturnType<typeof startFileStack>>;
let dir: string;

beforeAll(async () => {
  stack = await startFileStack();
  dir = await mkdtemp(path.join(tmpdir(), 'esu-cli-'));
});

afterAll(async () => {
  await stack?.stop();
});

/** `npm run cli -- …` as a script would run it: its exit code, stdout and stderr. */
function cli(args: string[], login = 'aigerim'): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...stack.env,
    CONSOLE_USERS: CONSOLE_TEST_USERS,
    CONSOLE_USER: login,
    CONSOLE_PASSWORD: PASSWORDS[login],
  } as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'client/cli.ts', ...args],
      { cwd: REPO_ROOT, env, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `esu-bridge …` (package.json `bin`) spawned as a person or a script runs it. */
function esuBridge(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = {
    ...stack.env,
    CONSOLE_USERS: CONSOLE_TEST_USERS,
    CONSOLE_USER: 'aigerim',
    CONSOLE_PASSWORD: PASSWORDS.aigerim,
    ...env,
  } as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/esu-bridge.js', ...args],
      { cwd: REPO_ROOT, env: full, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, JSON.stringify(content));
  return p;
}

describe('console CLI', () => {
  it('opens, amends and submits an incident, with exit codes and JSON a script can rely on', async () => {
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
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ incidentId: id, joined: false, state: { status: 'OPEN' } });

    const early = await cli(['incident', 'submit', id]);
    expect(early.code).toBe(3);
    expect(early.stderr).toContain('row 6 symptoms: required');

    const { name: _n, detectedAt: _d, ...rest } = completeCard(detectedAt, { mainEvents: ['MALWARE'] });
    expect((await cli(['incident', 'amend', id, '--file', await file('patch.json', rest)])).code).toBe(0);
    const submitted = await cli(['incident', 'submit', id, '--json']);
    expect(submitted.code).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ status: 'SUBMITTED', timeliness: 'ON_TIME' });

    const listed = await cli(['list', 'incidents', '--status', 'SUBMITTED', '--json']);
    expect(JSON.parse(listed.stdout).items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await cli(['incident', 'close', id], 'saule')).code).toBe(5); // auditors only read
    expect((await cli(['incident', 'close', id])).code).toBe(0);
  }, 600_000);

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
    const swap = async (actor: string) => {
      const db = await stack.pool.connect();
      try {
        await db.query('BEGIN');
        await db.query('ALTER TABLE journal DISABLE TRIGGER USER');
        await db.query('UPDATE journal SET actor = $1 WHERE id = $2', [actor, row.id]);
        await db.query('ALTER TABLE journal ENABLE TRIGGER USER');
        await db.query('COMMIT');
      } finally {
        db.release();
      }
    };
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
    expect(exported.code).toBe(0);
    expect((await readFile(out, 'utf8')).split('\r\n')[0]).toBe(
      'seq,started_at,event,actor,record_id,ended_at,result,details,hash',
    );
  }, 600_000);
});

describe('esu-bridge', () => {
  it('lists every command and the exit codes in --help, and each command its own flags', async () => {
    const help = await esuBridge(['--help']);
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
    ])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
    expect(help.stdout).toContain('7  the journal verification found tampering');
    const verify = await esuBridge(['journal', 'verify', '--help']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('--anchor');
  }, 300_000);

  it('answers a usage error with 2 and a message naming the flag', async () => {
    const unknown = await esuBridge(['journal', 'verify', '--anchr', 'head.json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --anchr');
    const missing = await esuBridge(['backup']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out');
    const noValue = await esuBridge(['retention', '--dry-run', '--as-of']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--as-of needs a value');
  }, 300_000);

  it("migrates the stack's database and verifies its journal, end to end, in JSON", async () => {
    const migrated = await esuBridge(['migrate', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const { applied, total } = JSON.parse(migrated.stdout) as { applied: string[]; total: number };
    expect(applied).toEqual([]); // the stack migrated it when it started
    expect(total).toBeGreaterThan(10);
    expect((await esuBridge(['list', 'incidents', '--json'])).code).toBe(0); // journalled, like every console command
    const verified = await esuBridge(['journal', 'verify', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, problems: [] });
    expect(JSON.parse(verified.stdout).checked).toBeGreaterThan(0);
  }, 300_000);
});
