import { parseArgs } from 'node:util';
import { migrationDatabaseUrl } from '../config/database.js';
import { backupDatabase, restoreDatabase, RestoreRefused, type JournalVerifier } from './backup.js';
import { createPool, safeMessage } from './pool.js';

/**
 * `npm run backup -- --out DIR` and `npm run restore -- --from DIR` (db/backup-main.ts), as the tables' owner: MIGRATION_DATABASE_URL, else DATABASE_URL (db/backup.ts;
 * a restore disables the triggers while it loads, which only an owner may).
 * Exit codes:
 *   0  backup written / restore loaded and verified;
 *   1  failure: PostgreSQL unreachable, a file cannot be written, an SQL error (a failed load is rolled back);
 *   2  usage or configuration wrong (a missing option, DATABASE_URL not set);
 *   3  verification failed: a file differs from the manifest (SHA-256, rows), or the restored journal chain, journal
 *      head, ledger or row counts do not check out;
 *   4  refused: the target database is not empty, or the backup's schema is newer than this code.
 * Written as one function per command, so that a single `esu-bridge` CLI can take them as subcommands.
 */
export async function runBackupCommand(
  argv: string[],
  verifyJournal: JournalVerifier,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  let values: { out?: string; from?: string };
  let url: string;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { out: { type: 'string' }, from: { type: 'string' } },
      strict: true,
    }));
    if (command === 'backup' && !values.out) throw new Error('backup needs --out DIR');
    if (command === 'restore' && !values.from) throw new Error('restore needs --from DIR');
    if (command !== 'backup' && command !== 'restore')
      throw new Error(`unknown command ${command ?? '(none)'}: backup --out DIR | restore --from DIR`);
    url = migrationDatabaseUrl(env);
  } catch (err) {
    console.error(`${command ?? 'backup'}: ${(err as Error).message}`);
    return 2;
  }
  const pool = createPool(url, 2, (line) => console.error(JSON.stringify(line)));
  try {
    if (command === 'backup') {
      const m = await backupDatabase(pool, values.out!);
      const rows = m.tables.reduce((s, t) => s + t.rows, 0);
      console.log(
        `backup of ${m.database} written to ${values.out}: ${m.tables.length} tables, ${rows} rows, schema ${m.schemaVersion.at(-1)}, journal head ${m.journalHead.seq}`,
      );
      return 0;
    }
    const report = await restoreDatabase(pool, values.from!, verifyJournal, (line) => console.log(line));
    console.log(
      `restore into ${report.database} verified: ${report.tables.length} tables, journal head ${report.journal.head.seq}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof RestoreRefused) {
      console.error(`restore: ${err.message}`);
      for (const p of err.problems) console.error(`  ${p}`);
      return err.exitCode;
    }
    console.error(`${command}: ${safeMessage(err)}`);
    return 1;
  } finally {
    await pool.end();
  }
}
