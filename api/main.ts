import { createEsuBridgeClient } from '../client/index.js';
import { API_TOPICS, configSummary, loadConfig } from '../config/index.js';
import { assertProductionReady } from '../config/production.js';
import { startApi } from './server.js';
import { connectAppDependencies, runProcess } from '../stack/app-process.js';
import { shutdownOnSignals } from '../stack/shutdown.js';

const shutdown = shutdownOnSignals('esu-bridge API');

/** The bookmaker API as a process of its own: `npm run start.api`. */
async function main(): Promise<void> {
  assertProductionReady('api');
  const loaded = loadConfig(process.env, API_TOPICS);
  const { pool, client, taskQueue, readiness } = await connectAppDependencies(shutdown, loaded);
  const bridge = createEsuBridgeClient({
    client,
    taskQueue,
    bettorRefKey: loaded.secrets.bettorRefKey,
    incidentTiming: loaded.incidents.timing,
  });
  const running = await startApi({ client: bridge, pool, config: loaded.api, readiness });
  shutdown.defer('HTTP server', () => running.close());
  console.log(
    JSON.stringify({
      msg: 'bookmaker API listening',
      url: running.url,
      openapi: running.openapiUrl,
      config: configSummary({ temporal: loaded.temporal, database: loaded.database, api: loaded.api }),
    }),
  );
}

runProcess(shutdown, main);
