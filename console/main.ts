import { connectClient } from '../client/connect.js';
import { consoleSummary } from '../config/console.js';
import { databaseUrl } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { startConsole } from './index.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';

/** The compliance console as a process of its own: `npm run start.console`. */
async function main(): Promise<void> {
  assertProductionReady('console');
  const pool = createPool(databaseUrl(), 10);
  await migrate(pool);
  const { client, connection, taskQueue } = await connectClient();
  const running = await startConsole({ pool, client, taskQueue });
  console.log(JSON.stringify({ msg: 'compliance console listening', url: running.url, config: consoleSummary(), developmentDefaults: developmentSummary('console') }));
  const stop = async () => {
    await running.close();
    await connection.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
