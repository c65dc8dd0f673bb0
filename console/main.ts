import { CONSOLE_TOPICS, configSummary, loadConfig } from '../config/index.js';
import { startConsole } from './index.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';
import { connectAppDependencies, runProcess } from '../stack/app-process.js';
import { shutdownOnSignals } from '../stack/shutdown.js';

const shutdown = shutdownOnSignals('esu-bridge console');

/** The compliance console as a process of its own: `npm run start.console`. */
async function main(): Promise<void> {
  assertProductionReady('console');
  const config = loadConfig(process.env, CONSOLE_TOPICS);
  const { pool, client, taskQueue, readiness } = await connectAppDependencies(shutdown, config);
  const running = await startConsole({ pool, client, taskQueue, readiness, config });
  shutdown.defer('HTTP server', () => running.close());
  console.log(
    JSON.stringify({
      msg: 'compliance console listening',
      url: running.url,
      config: configSummary({ temporal: config.temporal, database: config.database, console: config.console }),
      developmentDefaults: developmentSummary('console'),
    }),
  );
}

runProcess(shutdown, main);
