import { createEsuBridgeClient } from '../client/index.js';
import { incidentTiming } from '../config/console.js';
import { bettorRefKey } from '../config/index.js';
import { apiConfig, apiSummary } from './config.js';
import { assertProductionReady } from '../config/production.js';
import { startApi } from './server.js';
import { connectAppDependencies, runProcess } from '../stack/app-process.js';
import { shutdownOnSignals } from '../stack/shutdown.js';

const shutdown = shutdownOnSignals('esu-bridge API');

/** The bookmaker API as a process of its own: `npm run start.api`. */
async function main(): Promise<void> {
  assertProductionReady('api');
  const config = apiConfig();
  const { pool, client, taskQueue, readiness } = await connectAppDependencies(shutdown);
  const bridge = createEsuBridgeClient({
    client,
    taskQueue,
    bettorRefKey: bettorRefKey(),
    incidentTiming: incidentTiming(),
  });
  const running = await startApi({ client: bridge, pool, config, readiness });
  shutdown.defer('HTTP server', () => running.close());
  console.log(
    JSON.stringify({
      msg: 'bookmaker API listening',
      url: running.url,
      openapi: running.openapiUrl,
      config: apiSummary(config),
    }),
  );
}

runProcess(shutdown, main);
