import { connectClient } from '../client/connect.js';
import { consoleSummary } from '../config/console.js';
import { databaseUrl, startupWaitMs } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { startConsole } from './index.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';
import { createReadiness, postgresProbe, temporalProbe } from '../stack/health.js';
import { shutdownOnSignals } from '../stack/shutdown.js';
import { DependencyUnavailableError, waitFor } from '../stack/wait-for.js';

const shutdown = shutdownOnSignals('esu-bridge console');

/** The compliance console as a process of its own: `npm run start.console`. */
async function main(): Promise<void> {
  assertProductionReady('console');
  const wait = { deadlineMs: startupWaitMs(), signal: shutdown.signal };
  const pool = createPool(databaseUrl(), 10);
  shutdown.defer('pool', () => pool.end());
  await waitFor('PostgreSQL', () => pool.query('SELECT 1'), wait);
  await migrate(pool);
  const { client, connection, taskQueue } = await waitFor('Temporal', () => connectClient(), wait);
  shutdown.defer('Temporal connection', () => connection.close());
  const readiness = createReadiness({ postgresql: postgresProbe(pool), temporal: temporalProbe(connection) });
  const running = await startConsole({ pool, client, taskQueue, readiness });
  shutdown.defer('HTTP server', () => running.close());
  console.log(JSON.stringify({ msg: 'compliance console listening', url: running.url, config: consoleSummary(), developmentDefaults: developmentSummary('console') }));
}

main().catch((err) => {
  if (shutdown.stopping) return; // a signal during start-up: the drain exits
  console.error(err instanceof DependencyUnavailableError ? err.message : err);
  void shutdown.exit(1);
});
