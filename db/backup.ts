import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { z } from 'zod';
import { migrate, migrationFiles } from './migrate.js';
import { inTransaction, READ_ONLY_SNAPSHOT, type Pool, type PoolClient } from './pool.js';
import { checkLedger, type LedgerProblem } from './ledger-check.js';

/**
 * Backup and restore of esu-bridge's own PostgreSQL data (National Bank resolution No. 116 §55(8): backups of the
 * information system; AFM order No. 9, item 4(5): the data survives a failure or a replacement of the system).
 *
 * No pg_dump ships with the embedded PostgreSQL (its native/bin holds initdb, pg_ctl and postgres only), and a
 * deployment's image may not carry one either, so the dump is made through the ordinary connection: every table
 * read in ONE REPEATABLE READ READ ONLY transaction (one snapshot: the journal head, the journal rows and the ledger
 * agree however busy the system is), one JSON line per row (`row_to_json`, which keeps timestamps to the
 * microsecond, jsonb, arrays and bytea as hex), next to a manifest with the schema version (the applied
 * migrations), the row count and SHA-256 of each file and the journal head.
 *
 * The restore recreates the schema with the backup's own migrations, loads the rows as they were (the tables'
 * own triggers are switched off for the load, inside the one transaction: the journal's chain trigger would
 * otherwise re-link the entries and the append-only guards would refuse the seed rows' replacement), switches
 * them on again before COMMIT, and then verifies what it loaded: the row counts, the journal chain and head, and
 * the ledger. Disabling triggers needs the tables' owner, so the restore runs as the role that migrates.
 */
export const BACKUP_FORMAT = 'esu-bridge-backup/1';
const MANIFEST = 'manifest.json';
const FETCH_ROWS = 1000;
const INSERT_ROWS = 500;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
export const BackupManifest = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.iso.datetime({ offset: true }),
  database: z.string(),
  serverVersion: z.string(),
  schemaVersion: z.array(z.string().regex(/^[0-9]{3}_[a-z0-9_]+\.sql$/)).min(1),
  tables: z
    .array(
      z.strictObject({
        table: z.string().regex(/^[a-z_][a-z0-9_]*$/),
        file: z.string().regex(/^[a-z_][a-z0-9_]*\.jsonl$/),
        rows: z.number().int().nonnegative(),
        bytes: z.number().int().nonnegative(),
        sha256: Sha256,
      }),
    )
    .min(1),
  journalHead: z.strictObject({ seq: z.number().int().nonnegative(), hash: Sha256 }),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** Why a restore was refused; `exitCode` is what `npm run restore` exits with (db/backup-cli.ts). */
export class RestoreRefused extends Error {
  override readonly name = 'RestoreRefused';
  constructor(
    message: string,
    readonly exitCode: 3 | 4,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function userTables(db: PoolClient | Pool): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

/** The order rows are read in: by primary key, and rows that reference their own table after the others. */
async function rowOrder(db: PoolClient, table: string): Promise<string> {
  const { rows } = await db.query<{ col: string; self_ref: boolean }>(
    `SELECT a.attname AS col, false AS self_ref, array_position(i.indkey::int2[], a.attnum) AS pos
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
     UNION ALL
     SELECT a.attname, true, 0 FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
      WHERE k.conrelid = $1::regclass AND k.confrelid = k.conrelid AND k.contype = 'f'
     ORDER BY 2 DESC, 3`,
    [table],
  );
  const keys = rows.map((r) => (r.self_ref ? `(${ident(r.col)} IS NOT NULL)` : ident(r.col)));
  return keys.length ? `ORDER BY ${keys.join(', ')}` : '';
}

/**
 * Writes a consistent dump of every table to `outDir` (created; refused if it already holds a backup) and returns
 * its manifest. The schema_migrations table is not dumped: its content is the manifest's `schemaVersion`.
 */
export async function backupDatabase(pool: Pool, outDir: string): Promise<BackupManifest> {
  await mkdir(outDir, { recursive: true });
  if ((await readdir(outDir)).length) throw new Error(`${outDir} is not empty: a backup goes into a new directory`);
  const manifest = await inTransaction(
    pool,
    async (db): Promise<BackupManifest> => {
      const meta = (
        await db.query(
          `SELECT current_database() AS database, current_setting('server_version') AS version, now() AS at`,
        )
      ).rows[0];
      const schemaVersion = (
        await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')
      ).rows.map((r) => r.version);
      const headRow = (await db.query(`SELECT seq, hash FROM journal_chain_head WHERE id = 1`)).rows[0];
      const tables: BackupManifest['tables'] = [];
      for (const table of await userTables(db)) {
        const file = `${table}.jsonl`;
        const out = createWriteStream(path.join(outDir, file));
        const hash = createHash('sha256');
        let rows = 0;
        let bytes = 0;
        await db.query(
          `DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${ident(table)} t ${await rowOrder(db, table)}`,
        );
        for (;;) {
          const batch = (await db.query<{ j: string }>(`FETCH ${FETCH_ROWS} FROM dump`)).rows;
          if (!batch.length) break;
          const chunk = Buffer.from(batch.map((r) => r.j + '\n').join(''), 'utf8');
          hash.update(chunk);
          bytes += chunk.length;
          rows += batch.length;
          if (!out.write(chunk)) await once(out, 'drain');
        }
        await db.query('CLOSE dump');
        out.end();
        await once(out, 'finish');
        tables.push({ table, file, rows, bytes, sha256: hash.digest('hex') });
      }
      return {
        format: BACKUP_FORMAT,
        createdAt: (meta.at as Date).toISOString(),
        database: String(meta.database),
        serverVersion: String(meta.version),
        schemaVersion,
        tables,
        journalHead: { seq: Number(headRow?.seq ?? 0), hash: String(headRow?.hash ?? '0'.repeat(64)) },
      };
    },
    READ_ONLY_SNAPSHOT,
  );
  await writeFile(path.join(outDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Reads and checks the manifest, and every file against its SHA-256 and row count, before touching the database. */
export async function readBackup(fromDir: string): Promise<BackupManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(fromDir, MANIFEST), 'utf8'));
  } catch (err) {
    throw new RestoreRefused(`${path.join(fromDir, MANIFEST)} cannot be read: ${(err as Error).message}`, 3);
  }
  const parsed = BackupManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RestoreRefused(
      `${MANIFEST} is not an esu-bridge backup manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      3,
    );
  }
  const problems: string[] = [];
  for (const t of parsed.data.tables) {
    const hash = createHash('sha256');
    let rows = 0;
    try {
      const lines = createInterface({ input: createReadStream(path.join(fromDir, t.file)), crlfDelay: Infinity });
      for await (const line of lines) {
        hash.update(line + '\n', 'utf8');
        rows += 1;
      }
    } catch (err) {
      problems.push(`${t.file}: cannot be read (${(err as Error).message})`);
      continue;
    }
    if (hash.digest('hex') !== t.sha256)
      problems.push(`${t.file}: SHA-256 differs from the manifest (the file was changed)`);
    else if (rows !== t.rows) problems.push(`${t.file}: ${rows} rows, the manifest says ${t.rows}`);
  }
  if (problems.length) throw new RestoreRefused(`the backup in ${fromDir} does not match its manifest`, 3, problems);
  return parsed.data;
}

/**
 * Verifies the restored journal's hash chain (console/journal-chain.ts `verifyJournal`, handed in by the CLI: db/
 * knows the tables, not how the chain is hashed).
 */
export type JournalVerifier = (pool: Pool) => Promise<{
  checked: number;
  head: { seq: number; hash: string };
  problems: { message: string }[];
}>;

export interface RestoreReport {
  database: string;
  tables: { table: string; rows: number }[];
  journal: { checked: number; head: { seq: number; hash: string } };
  migratedAfter: string[];
}

/** Tables referenced by others first, so that foreign keys hold while rows are loaded. */
async function loadOrder(db: PoolClient, tables: string[]): Promise<string[]> {
  const { rows } = await db.query<{ child: string; parent: string }>(
    `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint
     WHERE contype = 'f' AND conrelid <> confrelid AND connamespace = 'public'::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (ordered.includes(t) || path.has(t)) return;
    path.add(t);
    for (const r of rows) if (r.child === t) visit(r.parent, path);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered.filter((t) => tables.includes(t));
}

async function loadTable(db: PoolClient, fromDir: string, table: string, file: string): Promise<void> {
  const cols = (
    await db.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [table],
    )
  ).rows.map((r) => ident(r.name));
  const insert = `INSERT INTO ${ident(table)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length) await db.query(insert, [`[${batch.join(',')}]`]);
    batch = [];
  };
  const lines = createInterface({ input: createReadStream(path.join(fromDir, file)), crlfDelay: Infinity });
  for await (const line of lines) {
    batch.push(line);
    if (batch.length >= INSERT_ROWS) await flush();
  }
  await flush();
}

/**
 * Restores the backup in `fromDir` into the database of `pool`, which must be empty (no table at all: a new
 * database), then verifies it. Refusals are RestoreRefused: exit 3 when the backup or the restored data fails a
 * check, 4 when the target is not empty or the backup's schema is unknown to this code.
 */
export async function restoreDatabase(
  pool: Pool,
  fromDir: string,
  verifyJournal: JournalVerifier,
  log: (line: string) => void = () => undefined,
): Promise<RestoreReport> {
  const manifest = await readBackup(fromDir);
  log(`backup of ${manifest.database} at ${manifest.createdAt}: ${manifest.tables.length} files match their SHA-256`);
  const database = String((await pool.query('SELECT current_database() AS d')).rows[0].d);
  const present = (
    await pool.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       ORDER BY 1 LIMIT 6`,
    )
  ).rows.map((r) => r.name);
  if (present.length) {
    throw new RestoreRefused(
      `database ${database} is not empty (it has ${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}): restore only into a new, empty database`,
      4,
    );
  }
  const known = await migrationFiles();
  const unknown = manifest.schemaVersion.filter((m) => !known.includes(m));
  if (unknown.length)
    throw new RestoreRefused(
      `the backup's schema has migrations this code does not know (${unknown.join(', ')}): restore with that release`,
      4,
    );

  await migrate(pool, (file) => log(`applied ${file}`), manifest.schemaVersion);
  const tables = manifest.tables.map((t) => t.table);
  const schemaTables = await userTables(pool);
  const missing = schemaTables.filter((t) => !tables.includes(t));
  const extra = tables.filter((t) => !schemaTables.includes(t));
  if (missing.length || extra.length) {
    throw new RestoreRefused(`the backup's tables do not match its schema version`, 3, [
      ...missing.map((t) => `${t}: in the schema, not in the backup`),
      ...extra.map((t) => `${t}: in the backup, not in the schema`),
    ]);
  }

  const counts: RestoreReport['tables'] = [];
  await inTransaction(pool, async (db) => {
    for (const t of tables) await db.query(`ALTER TABLE ${ident(t)} DISABLE TRIGGER USER`);
    // The migrations' seed rows (the house accounts, the journal head) are replaced by the backup's.
    await db.query(`TRUNCATE ${tables.map(ident).join(', ')}`);
    for (const t of await loadOrder(db, tables))
      await loadTable(db, fromDir, t, manifest.tables.find((m) => m.table === t)!.file);
    // Sequences continue after the restored ids (journal.id, incident_alerts.id, …).
    const seqs = await db.query<{ t: string; c: string; s: string }>(
      `SELECT c.relname AS t, a.attname AS c, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS s
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
         AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    );
    for (const r of seqs.rows) {
      await db.query(`SELECT setval($1, coalesce((SELECT max(${ident(r.c)}) FROM ${ident(r.t)}), 0) + 1, false)`, [
        r.s,
      ]);
    }
    for (const t of tables) await db.query(`ALTER TABLE ${ident(t)} ENABLE TRIGGER USER`);
    const problems: string[] = [];
    for (const m of manifest.tables) {
      const rows = Number((await db.query(`SELECT count(*) AS n FROM ${ident(m.table)}`)).rows[0].n);
      counts.push({ table: m.table, rows });
      if (rows !== m.rows) problems.push(`${m.table}: ${rows} rows restored, the manifest says ${m.rows}`);
    }
    if (problems.length) throw new RestoreRefused('the restored row counts differ from the manifest', 3, problems);
  });
  log(`loaded ${counts.reduce((s, t) => s + t.rows, 0)} rows into ${counts.length} tables of ${database}`);

  const chain = await verifyJournal(pool);
  const problems: string[] = chain.problems.map((p) => `journal: ${p.message}`);
  if (chain.head.seq !== manifest.journalHead.seq || chain.head.hash !== manifest.journalHead.hash) {
    problems.push(
      `journal: the restored head (entry ${chain.head.seq}) is not the manifest's (entry ${manifest.journalHead.seq})`,
    );
  }
  problems.push(...(await checkLedger(pool)).map((p: LedgerProblem) => `ledger: ${p.message}`));
  if (problems.length) {
    throw new RestoreRefused(
      `the restored data of ${database} fails verification: drop this database, it must not be used`,
      3,
      problems,
    );
  }
  log(
    `journal chain verified: ${chain.checked} entries, head ${chain.head.seq}; ledger balanced and totals consistent`,
  );

  // A backup from an earlier release: the newer migrations run on the restored data, as `npm run migrate` would.
  const migratedAfter = await migrate(pool, (file) => log(`applied ${file}`));
  return { database, tables: counts, journal: { checked: chain.checked, head: chain.head }, migratedAfter };
}
