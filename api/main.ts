import { connectClient } from '../client/connect.js';
import { createEsuBridgeClient } from '../client/index.js';
import { incidentTiming } from '../config/console.js';
import { bettorRefKey, databaseUrl, startupWaitMs } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { apiConfig, apiSummary } from './config.js';
import { assertProductionReady } from '../config/production.js';
import { startApi } from './server.js';
import { createReadiness, postgresProbe, temporalProbe } from '../stack/health.js';
import { shutdownOnSignals } from '../stack/shutdown.js';
import { DependencyUnavailableError, waitFor } from '../stack/wait-for.js';

const shutdown = shutdownOnSignals('esu-bridge API');

/** The bookmaker API as a process of its own: `npm run start.api`. */
async function main(): Promise<void> {
  assertProductionReady('api');
  const config = apiConfig();
  const wait = { deadlineMs: startupWaitMs(), signal: shutdown.signal };
  const pool = createPool(databaseUrl(), 10);
  shutdown.defer('pool', () => pool.end());
  await waitFor('PostgreSQL', () => pool.query('SELECT 1'), wait);
  await migrate(pool);
  const { client, connection, taskQueue } = await waitFor('Temporal', () => connectClient(), wait);
  shutdown.defer('Temporal connection', () => connection.close());
  const bridge = createEsuBridgeClient({ client, taskQueue, bettorRefKey: bettorRefKey(), incidentTiming: incidentTiming() });
  const readiness = createReadiness({ postgresql: postgresProbe(pool), temporal: temporalProbe(connection) });
  const running = await startApi({ client: bridge, pool, config, readiness });
  shutdown.defer('HTTP server', () => running.close());
  console.log(JSON.stringify({ msg: 'bookmaker API listening', url: running.url, openapi: running.openapiUrl, config: apiSummary(config) }));
}

main().catch((err) => {
  if (shutdown.stopping) return; // a signal during start-up: the drain exits
  console.error(err instanceof DependencyUnavailableError ? err.message : err);
  void shutdown.exit(1);
});
