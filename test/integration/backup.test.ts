import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLedgerActivities } from '../../activities/ledger.js';
import { createBettingLedgerActivities } from '../../activities/betting-ledger.js';
import { BackupManifest } from '../../db/backup.js';
import { checkLedger } from '../../db/ledger-check.js';
import { migrate, migrationFiles } from '../../db/migrate.js';
import type { Pool } from '../../db/pool.js';
import { verifyJournal } from '../../console/journal-chain.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { newBettorRef, reserveAndAccept, stakeReservation } from '../support/ledger.js';
import { databaseUrlOf, useOwnDatabases } from '../support/databases.js';
import { runTsx } from '../support/processes.js';

/**
 * `npm run backup` and `npm run restore` (db/backup-main.ts) on databases of this file's own: a source with a
 * ledger, bets, a journal, personal data and photos; backup → a new empty database → restore → verify; and the
 * refusals: a changed file, changes that keep the manifest's hashes right but break the journal chain or the
 * ledger, and a target that is not empty.
 */
const suffix = Date.now().toString(36);
const db = {
  source: `backup_src_${suffix}`,
  restored: `backup_dst_${suffix}`,
  tampered: `backup_tmp_${suffix}`,
  chain: `backup_chain_${suffix}`,
  ledger: `backup_ledger_${suffix}`,
  older: `backup_old_${suffix}`,
  upgraded: `backup_up_${suffix}`,
};
const { poolOf } = useOwnDatabases(Object.values(db), { poolSize: 2 });
let source: Pool;
let work: string;

const run = (args: string[], database: string) =>
  runTsx('db/backup-main.ts', args, { DATABASE_URL: databaseUrlOf(database) });

/** Every table's content, as one digest per table, in a stable order. */
async function contents(p: Pool): Promise<Record<string, string>> {
  const tables = (
    await p.query(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'schema_migrations' ORDER BY 1`,
    )
  ).rows.map((r) => r.relname as string);
  const out: Record<string, string> = {};
  for (const t of tables) {
    out[t] = (
      await p.query(
        `SELECT count(*) || ':' || coalesce(md5(string_agg(row_to_json(x)::text, E'\\n' ORDER BY row_to_json(x)::text)), '') AS d FROM "${t}" x`,
      )
    ).rows[0].d;
  }
  return out;
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
}

/** Rewrites one file of a copied backup and, when `rehash`, its manifest entry too: a forger who knows the format. */
async function tamper(dir: string, file: string, change: (rows: string[]) => string[], rehash: boolean): Promise<void> {
  const changed = change(await lines(path.join(dir, file)));
  const text = changed.map((l) => l + '\n').join('');
  await writeFile(path.join(dir, file), text);
  if (!rehash) return;
  const manifest = BackupManifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
  const entry = manifest.tables.find((t) => t.file === file)!;
  entry.sha256 = createHash('sha256').update(text).digest('hex');
  entry.bytes = Buffer.byteLength(text);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'esu-bridge-backup-'));
  source = poolOf(db.source);
  await migrate(source);
  const ledger = createLedgerActivities({ pool: source });
  const betting = createBettingLedgerActivities({ pool: source });
  const bettorRef = newBettorRef();
  await ledger.creditDeposit({ depositId: uniqueId('dep'), bettorRef, amountTiyn: 10_000 });
  await ledger.creditDeposit({ depositId: uniqueId('dep'), bettorRef, amountTiyn: 2_500 });
  const bet = await reserveAndAccept(stakeReservation(bettorRef, { stakeTiyn: 1_200 }), betting);
  // Left pending: a reservation in flight, of the same bettor.
  await betting.reserveStake(stakeReservation(bettorRef, { iin: bet.iin, stakeTiyn: 700 }));
  for (let i = 0; i < 3; i++) {
    await source.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result, details) VALUES (now(), now(), 'TEST_STEP', 'backup-test', $1, 'OK', $2)`,
      [`rec-${i}`, JSON.stringify({ step: i, note: 'кириллица «quoted»' })],
    );
  }
  await source.query(
    `INSERT INTO bettor_personal_data (bettor_id, bettor_ref, source, data) VALUES ('b-1', $1, 'TWO_FACTOR', '{"surname":"Иванова"}')`,
    [bettorRef],
  );
  await source.query(
    `INSERT INTO reference_photos (photo_ref, image, quality) VALUES ('ph-1', '\\x00ff10e2'::bytea, '{"width":480}')`,
  );
  await source.query(
    `INSERT INTO incidents (incident_id, workflow_id, name, status, main_events, origin, detected_at, detected_at_text, due_at, opened_at, opened_by, version, revision, state, retain_until)
     VALUES ('inc-1', 'Incident:inc-1', 'ESU unreachable', 'OPEN', '{a,b}', 'OPS', now(), 'now', now() + interval '48 hours', now(), 'ops', 1, 1, '{}', now() + interval '5 years')`,
  );
});

describe('backup and restore', () => {
  let dir: string;
  let manifest: BackupManifest;

  /**
   * Copies the backup (`dir`) to `name`, rewrites one file of the copy (tamper), restores it into `database` and
   * expects the restore refused with exit 3; answers what the restore printed.
   */
  async function refusedRestore(
    name: string,
    database: string,
    file: string,
    change: (rows: string[]) => string[],
    rehash: boolean,
  ) {
    const copy = path.join(work, name);
    await cp(dir, copy, { recursive: true });
    await tamper(copy, file, change, rehash);
    const restore = await run(['restore', '--from', copy], database);
    expect(restore.code).toBe(3);
    return restore;
  }

  it('writes a manifest with the schema version, row counts, SHA-256 of each file and the journal head', async () => {
    dir = path.join(work, 'full');
    const backup = await run(['backup', '--out', dir], db.source);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    manifest = BackupManifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.schemaVersion).toEqual(await migrationFiles());
    expect(manifest.database).toBe(db.source);
    const head = (await source.query('SELECT seq, hash FROM journal_chain_head')).rows[0];
    expect(manifest.journalHead).toEqual({ seq: Number(head.seq), hash: head.hash });
    expect(manifest.journalHead.seq).toBeGreaterThanOrEqual(3);
    const byTable = Object.fromEntries(manifest.tables.map((t) => [t.table, t.rows]));
    expect(byTable).toMatchObject({
      ledger_transfers: 3,
      ledger_pending_transfers: 2,
      bets: 2,
      bettor_personal_data: 1,
      reference_photos: 1,
      incidents: 1,
    });
    expect(Object.keys(byTable)).not.toContain('schema_migrations');
    for (const t of manifest.tables) {
      expect(
        createHash('sha256')
          .update(await readFile(path.join(dir, t.file)))
          .digest('hex'),
      ).toBe(t.sha256);
      expect(Number((await source.query(`SELECT count(*) AS n FROM "${t.table}"`)).rows[0].n)).toBe(t.rows);
    }
    expect(backup.stdout).toContain(`journal head ${manifest.journalHead.seq}`);
  });

  it('restores into a new empty database, verified: the same rows, the journal chain and head, a balanced ledger', async () => {
    const restore = await run(['restore', '--from', dir], db.restored);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(
      `journal chain verified: ${manifest.journalHead.seq} entries, head ${manifest.journalHead.seq}`,
    );
    const restored = poolOf(db.restored);
    expect(await contents(restored)).toEqual(await contents(source));
    const chain = await verifyJournal(restored);
    expect(chain.ok).toBe(true);
    expect(chain.head).toEqual(manifest.journalHead);
    expect(await checkLedger(restored)).toEqual([]);
    // The guards are back on, and the chain and the sequences continue after the restored entries.
    await expect(restored.query('DELETE FROM journal')).rejects.toThrow(/append-only/);
    await expect(restored.query('DELETE FROM ledger_transfers')).rejects.toThrow(/append-only/);
    const next = await restored.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES (now(), now(), 'AFTER_RESTORE', 'backup-test', 'r', 'OK') RETURNING chain_seq, prev_hash`,
    );
    expect(Number(next.rows[0].chain_seq)).toBe(manifest.journalHead.seq + 1);
    expect(next.rows[0].prev_hash).toBe(manifest.journalHead.hash);
    expect((await verifyJournal(restored)).ok).toBe(true);
  });

  it('refuses a changed file before touching the database (exit 3), naming the file', async () => {
    const restore = await refusedRestore(
      'changed',
      db.tampered,
      'ledger_transfers.jsonl',
      (rows) => rows.map((r, i) => (i === 0 ? r.replace(/"amount_tiyn":(\d+)/, '"amount_tiyn":99$1') : r)),
      false,
    );
    expect(restore.stderr).toContain('ledger_transfers.jsonl: SHA-256 differs from the manifest');
    const target = poolOf(db.tampered);
    expect(
      Number(
        (await target.query(`SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).rows[0]
          .n,
      ),
    ).toBe(0);
  });

  it('refuses a journal entry changed with its hash in the manifest rewritten: the chain shows it (exit 3)', async () => {
    const restore = await refusedRestore(
      'chain',
      db.chain,
      'journal.jsonl',
      (rows) => rows.map((r) => r.replace('"record_id":"rec-1"', '"record_id":"rec-X"')),
      true,
    );
    expect(restore.stderr).toContain('fails verification');
    expect(restore.stderr).toMatch(/journal: entry \d+ \(id \d+, TEST_STEP\) does not match its hash/);
  });

  it('refuses a ledger changed consistently with the manifest: the balances show it (exit 3)', async () => {
    const restore = await refusedRestore(
      'ledger',
      db.ledger,
      'ledger_accounts.jsonl',
      (rows) =>
        rows.map((r) =>
          r.includes('"kind":"BETTOR"')
            ? r.replace(/"credits_posted":(\d+)/, (_m, n) => `"credits_posted":${Number(n) + 100}`)
            : r,
        ),
      true,
    );
    expect(restore.stderr).toMatch(/ledger: account \S+: its sums differ from its transfers/);
    expect(restore.stderr).toMatch(/ledger: debits \d+ \(pending \d+\) differ from credits/);
  });

  it('restores a backup of an earlier release, then applies the newer migrations to it', async () => {
    const older = poolOf(db.older);
    const files = await migrationFiles();
    const earlier = files.filter((f) => f < '013');
    await migrate(older, () => undefined, earlier);
    await older.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES (now(), now(), 'OLD_RELEASE', 'backup-test', 'r', 'OK')`,
    );
    await older.query(
      `INSERT INTO bets (bet_id, workflow_id, bettor_ref, iin, event_id, outcome, odds, stake_tiyn, placed_at) VALUES ('b-1', 'Bet:b-1', 'r', $1, 'e', 'HOME', '1.5', 100, '2026-12-31 23:30 Asia/Almaty')`,
      [adultIin()],
    );
    const oldDir = path.join(work, 'older');
    expect((await run(['backup', '--out', oldDir], db.older)).code).toBe(0);
    const m = BackupManifest.parse(JSON.parse(await readFile(path.join(oldDir, 'manifest.json'), 'utf8')));
    expect(m.schemaVersion).toEqual(earlier);
    const restore = await run(['restore', '--from', oldDir], db.upgraded);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    for (const f of files.filter((x) => x >= '013')) expect(restore.stdout).toContain(`applied ${f}`);
    const upgraded = poolOf(db.upgraded);
    expect(
      (
        (await upgraded.query(`SELECT retain_until FROM bets WHERE bet_id = 'b-1'`)).rows[0].retain_until as Date
      ).toISOString(),
    ).toBe('2031-12-31T19:00:00.000Z');
    expect((await verifyJournal(upgraded)).ok).toBe(true);
  });

  it('refuses a database that is not empty, naming it (exit 4), and a missing option (exit 2)', async () => {
    const restore = await run(['restore', '--from', dir], db.source);
    expect(restore.code).toBe(4);
    expect(restore.stderr).toContain(`database ${db.source} is not empty`);
    const usage = await run([], db.source);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command');
    const noDir = await run(['restore'], db.source);
    expect(noDir.code).toBe(2);
  });
});
