import { migrationDatabaseUrl, startupWaitMs } from '../config/index.js';
import { migrate, migrationFiles } from './migrate.js';
import { createPool, safeMessage } from './pool.js';
import { DependencyUnavailableError, waitFor } from '../stack/wait-for.js';

/**
 * `npm run migrate`: applies the schema as the tables' owner (MIGRATION_DATABASE_URL, else DATABASE_URL), once per deployment, before the worker, the API and the
 * console start (they only check it). Prints each migration it applies. Exit 0: the schema is current; 1: PostgreSQL
 * did not answer within STARTUP_WAIT_SECONDS, or a migration failed (rolled back, named); 2: the configuration is wrong.
 */
async function main(): Promise<number> {
  let url: string;
  let deadlineMs: number;
  try {
    url = migrationDatabaseUrl();
    deadlineMs = startupWaitMs();
  } catch (err) {
    console.error(`migrate: ${(err as Error).message}`);
    return 2;
  }
  const pool = createPool(url, 1, (line) => console.error(JSON.stringify(line)));
  try {
    await waitFor('PostgreSQL', () => pool.query('SELECT 1'), { deadlineMs, log: (line) => console.error(JSON.stringify(line)) });
    const applied = await migrate(pool, (file) => console.log(`applied ${file}`));
    const total = (await migrationFiles()).length;
    console.log(applied.length ? `schema current: ${applied.length} of ${total} migrations applied now` : `schema current: all ${total} migrations were already applied`);
    return 0;
  } catch (err) {
    console.error(`migrate: ${err instanceof DependencyUnavailableError ? err.message : safeMessage(err)}`);
    return 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
