import { connectClient } from '../client/connect.js';
import { createEsuBridgeClient } from '../client/index.js';
import { incidentTiming } from '../config/console.js';
import { bettorRefKey, databaseUrl } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { apiConfig, apiSummary } from './config.js';
import { assertProductionReady } from '../config/production.js';
import { startApi } from './server.js';

/** The bookmaker API as a process of its own: `npm run start.api`. */
async function main(): Promise<void> {
  assertProductionReady('api');
  const config = apiConfig();
  const pool = createPool(databaseUrl(), 10);
  await migrate(pool);
  const { client, connection, taskQueue } = await connectClient();
  const bridge = createEsuBridgeClient({ client, taskQueue, bettorRefKey: bettorRefKey(), incidentTiming: incidentTiming() });
  const running = await startApi({ client: bridge, pool, config });
  console.log(JSON.stringify({ msg: 'bookmaker API listening', url: running.url, openapi: running.openapiUrl, config: apiSummary(config) }));
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
