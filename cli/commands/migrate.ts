import { JSON_FLAG, leaf, registerCommand } from '../registry.js';

/**
 * `esu-bridge migrate`: applies the schema as the tables' owner (MIGRATION_DATABASE_URL, else DATABASE_URL), once per deployment, before the worker, the API and
 * the console start (they only check it). Prints each migration it applies. Exit 0: the schema is current; 1:
 * PostgreSQL did not answer within STARTUP_WAIT_SECONDS, or a migration failed (rolled back, named); 2: the
 * configuration is wrong.
 */
registerCommand(
  'migrate',
  leaf({
    name: 'migrate',
    description:
      'apply the schema (db/migrations) as the tables’ owner (MIGRATION_DATABASE_URL, else DATABASE_URL); waits STARTUP_WAIT_SECONDS for PostgreSQL',
    args: { ...JSON_FLAG },
    run: async ({ args }) => {
      const { loadConfig } = await import('../../config/index.js');
      const { migrationDatabaseUrl } = await import('../../config/database.js');
      const { migrate, migrationFiles } = await import('../../db/migrate.js');
      const { databaseAnswers, safeMessage, withCommandPool } = await import('../../db/pool.js');
      const { DependencyUnavailableError, waitFor } = await import('../../stack/wait-for.js');
      let deadlineMs = 0;
      const url = () => {
        const read = migrationDatabaseUrl();
        deadlineMs = loadConfig(process.env, ['startup']).startup.waitMs;
        return read;
      };
      return withCommandPool('migrate', url, async (pool) => {
        try {
          await waitFor('PostgreSQL', () => databaseAnswers(pool), {
            deadlineMs,
            log: (line) => console.error(JSON.stringify(line)),
          });
          const applied = await migrate(pool, (file) => {
            if (!args.json) console.log(`applied ${file}`);
          });
          const total = (await migrationFiles()).length;
          if (args.json) console.log(JSON.stringify({ applied, total }));
          else
            console.log(
              applied.length
                ? `schema current: ${applied.length} of ${total} migrations applied now`
                : `schema current: all ${total} migrations were already applied`,
            );
          return 0;
        } catch (err) {
          console.error(`migrate: ${err instanceof DependencyUnavailableError ? err.message : safeMessage(err)}`);
          return 1;
        }
      });
    },
  }),
);
