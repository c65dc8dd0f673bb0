import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectClient } from '../client/connect.js';
import { createEsuBridgeClient } from '../client/index.js';
import { configSummary, DEFAULT_PORTS, loadConfig } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { startSimulators } from '../simulators/index.js';
import { connectOrStartTemporal, type RunningTemporal } from '../stack/dev-server.js';
import { CLUSTER_HISTORY_SHARDS, startTemporalCluster } from '../stack/temporal-cluster.js';
import { startPostgres } from '../stack/postgres.js';
import { createSagaWorker } from '../workers/sagas.js';
import { runDemo } from './demo.js';
import { startConsole } from '../console/index.js';
import { consoleConfig } from '../config/console.js';
import { startIncidentDetector } from '../client/incident-detector.js';
import { resumeFailedSubmissions, startVerdictReader } from '../client/verdict-reader.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';
import { DEV_API_KEY } from '../config/api.js';
import { startApi } from '../api/server.js';
import { createReadiness, postgresProbe, temporalProbe } from '../stack/health.js';
import { shutdownOnSignals } from '../stack/shutdown.js';
import { ensureDevelopmentIdentities } from '../config/signing.js';

/**
 * `npm start`: the whole system on embedded defaults, in one process tree — Temporal dev server with its
 * Web UI, PostgreSQL, the ESU, Nomapay and AFM simulators, the saga worker, the incident detector and the
 * compliance console, and the bookmaker API — then one bettor's day end to end over the API (scripts/demo.ts).
 * Stays up until Ctrl-C.
 * `npm start -- --cluster` runs Temporal as a bookmaker does instead of the dev server: `temporal-server` on the same
 * PostgreSQL (databases of its own, SQL visibility, 4 history shards) and the Web UI from the ui-server.
 * Any of TEMPORAL_ADDRESS, DATABASE_URL, ESU_BASE_URL, NOMAPAY_BASE_URL, AFM_BASE_URL set in the environment is used
 * instead of the embedded service.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA_DIR = process.env.ESU_BRIDGE_DATA_DIR ?? path.join(ROOT, '.data');
const CLUSTER = process.argv.slice(2).includes('--cluster');

function step(message: string): void {
  console.log(`• ${message}`);
}

// What has been started is stopped in reverse order on Ctrl-C (or SIGTERM), even halfway through start-up, and
// when start-up fails (PostgreSQL and the dev server are child processes: left running, they would hold .data/
// for the next start). A step that fails to stop says so on one line; a second Ctrl-C exits at once.
const shutdown = shutdownOnSignals('esu-bridge', {
  log: ({ msg, error, signal }) =>
    console.log(signal ? '\nstopping…' : `• ${String(msg).replace(/^esu-bridge: /, '')}${error ? `: ${error}` : ''}`),
});

async function main(): Promise<void> {
  // `npm start` is for development; with NODE_ENV=production it holds the worker and console to their rules.
  assertProductionReady(['worker', 'console']);
  // The demo provokes a refusal on purpose: keep the SDK's per-attempt warnings out of its output.
  // Ctrl-C is ours to handle (the worker drains before the pool and PostgreSQL stop), not the Runtime's.
  Runtime.install({
    logger: new DefaultLogger((process.env.ESU_BRIDGE_LOG_LEVEL ?? 'ERROR') as 'ERROR'),
    shutdownSignals: [],
  });

  // --cluster: a Temporal server on the PostgreSQL below (the shape a bookmaker runs) instead of the dev server.
  const cluster = CLUSTER && !process.env.TEMPORAL_ADDRESS;
  if (CLUSTER && !cluster) step('--cluster ignored: TEMPORAL_ADDRESS names the Temporal to use');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  let temporal: RunningTemporal | undefined;
  // The Web UI decodes payloads through the console's codec endpoint, with the officer's console session.
  const consoleListen = consoleConfig(process.env);
  const codecEndpoint = `http://${consoleListen.host === '0.0.0.0' ? '127.0.0.1' : consoleListen.host}:${consoleListen.port}/codec`;
  if (!cluster) {
    step('Temporal: starting the dev server (first run builds the pinned CLI with go; later runs reuse it)…');
    temporal = await connectOrStartTemporal({
      codecEndpoint,
      port: DEFAULT_PORTS.temporal,
      uiPort: DEFAULT_PORTS.temporalUi,
      dbFilename: path.join(DATA_DIR, 'temporal.db'),
      namespace,
    });
    shutdown.defer('the Temporal dev server', temporal.stop);
    step(`Temporal at ${temporal.address}, Web UI at ${temporal.uiUrl}`);
  }

  step('PostgreSQL: starting…');
  const postgres = await startPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), ownSignals: true });
  shutdown.defer('PostgreSQL', postgres.stop);
  const migrationPool = createPool(postgres.url, 1);
  const applied = await migrate(migrationPool).finally(() => migrationPool.end());
  step(`PostgreSQL ready (${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'})`);

  if (!temporal) {
    step(
      `Temporal: starting the server on PostgreSQL (databases temporal and temporal_visibility, ${CLUSTER_HISTORY_SHARDS} history shards)…`,
    );
    temporal = await startTemporalCluster({
      postgresUrl: postgres.url,
      dataDir: path.join(DATA_DIR, 'temporal-cluster'),
      port: DEFAULT_PORTS.temporal,
      namespace,
      ui: { port: DEFAULT_PORTS.temporalUi, codecEndpoint },
    });
    // Registered after PostgreSQL, so stopped before it: the server keeps its state there.
    shutdown.defer('the Temporal server', temporal.stop);
    step(`Temporal server at ${temporal.address} (PostgreSQL persistence and visibility), Web UI at ${temporal.uiUrl}`);
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    DATABASE_URL: postgres.url,
    // The worker, API and console act as the application's role (migration 018_b): the journal only grows.
    DATABASE_ROLE: process.env.DATABASE_ROLE ?? 'esu_bridge_app',
    // The console answers the UI's codec calls from the UI's origin only.
    ...(temporal.uiUrl.startsWith('http') && !process.env.CONSOLE_CODEC_CORS_ORIGIN
      ? { CONSOLE_CODEC_CORS_ORIGIN: temporal.uiUrl }
      : {}),
  };

  // Signatures (README, *Signatures that prove authorship*): without a PKCS#12 of its own, a development CA, the
  // bookmaker's and AFM's PKCS#12 are generated once under the data directory, and the simulators trust them.
  if (!process.env.SIGNING_PKCS12_PATH) {
    const ids = ensureDevelopmentIdentities(env);
    step(
      `Signing with the DEVELOPMENT certificate in ${ids.dir} (not the national CA; set SIGNING_PKCS12_PATH for a real one)`,
    );
  }

  if (!process.env.ESU_BASE_URL || !process.env.NOMAPAY_BASE_URL || !process.env.AFM_BASE_URL) {
    const sims = await startSimulators({
      esu: { port: DEFAULT_PORTS.esu, apiKey: env.ESU_API_KEY ?? 'dev-esu-key' },
      nomapay: { port: DEFAULT_PORTS.nomapay, apiKey: env.NOMAPAY_API_KEY ?? 'dev-nomapay-key' },
      afm: { port: DEFAULT_PORTS.afm, apiKey: env.AFM_API_KEY ?? 'dev-afm-key' },
      latencyMs: { min: 5, max: 30 },
    });
    shutdown.defer('the simulators', sims.close);
    env.ESU_BASE_URL ??= sims.esu.url;
    env.NOMAPAY_BASE_URL ??= sims.nomapay.url;
    env.AFM_BASE_URL ??= sims.afm.url;
    step(`Simulators: ESU at ${sims.esu.url}, Nomapay at ${sims.nomapay.url}, AFM at ${sims.afm.url}`);
  }

  // The worker, the console and the API in one process: every topic, parsed once.
  const loaded = loadConfig(env);
  console.log(JSON.stringify({ msg: 'configuration', config: configSummary(loaded) }));
  const devDefaults = Object.entries(developmentSummary(['worker', 'console'], env));
  if (devDefaults.length) {
    step('Development settings in use (NODE_ENV=production refuses each):');
    for (const [variable, problem] of devDefaults) console.log(`    ${variable}: ${problem}`);
  }
  const config = loaded.temporal;
  const connection = await NativeConnection.connect({
    address: config.address,
    tls: config.tls,
    apiKey: config.apiKey,
  });
  shutdown.defer('the worker connection', () => connection.close());
  // Ctrl-C reaches PostgreSQL as well, which drops the pool's connections while the rest drains: expected then.
  const poolLog = ({ error }: Record<string, unknown>) =>
    shutdown.stopping || step(`PostgreSQL connection lost (${String(error)}); reconnecting on next use`);
  const saga = await createSagaWorker({
    connection,
    temporal: config,
    databaseUrl: postgres.url,
    env,
    config: loaded,
    poolLog,
  });
  const running = saga.worker.run();
  shutdown.defer('the worker', async () => {
    if (saga.worker.getState() === 'RUNNING') saga.worker.shutdown();
    await running;
    await saga.close();
  });
  step(`Worker polling task queue ${config.taskQueue}`);

  const { client, connection: clientConnection } = await connectClient(env, config);
  shutdown.defer('the client connection', () => clientConnection.close());
  const esuBridge = createEsuBridgeClient({
    client,
    taskQueue: config.taskQueue,
    bettorRefKey: loaded.secrets.bettorRefKey,
  });
  await startIncidentDetector(client, config.taskQueue, loaded.incidents);
  await startVerdictReader(client, config.taskQueue, loaded.submissions.verdictReader);
  await resumeFailedSubmissions(client, config.taskQueue, saga.pool);
  const readiness = createReadiness({
    postgresql: postgresProbe(saga.pool),
    temporal: temporalProbe(clientConnection),
  });
  const compliance = await startConsole({
    pool: saga.pool,
    client,
    taskQueue: config.taskQueue,
    env,
    config: loaded,
    readiness,
  });
  shutdown.defer('the console', compliance.close);
  const devUsers = loaded.console.devUsers ? ' — development users officer/officer, admin/admin, auditor/auditor' : '';
  step(`Compliance console at ${compliance.url}${devUsers}`);
  const apiSettings = loaded.api;
  const api = await startApi({ client: esuBridge, pool: saga.pool, config: apiSettings, readiness });
  shutdown.defer('the API', api.close);
  const devKey = apiSettings.devKey
    ? ` — development API key ${DEV_API_KEY} (Authorization: Bearer …; set API_KEYS)`
    : '';
  step(`Bookmaker API at ${api.url}, OpenAPI at ${api.openapiUrl}${devKey}`);
  if (apiSettings.devKey)
    await runDemo(esuBridge, env, saga.pool, temporal.uiUrl, temporal.namespace, { url: api.url, key: DEV_API_KEY });
  else if (process.env.DEMO_API_KEY)
    await runDemo(esuBridge, env, saga.pool, temporal.uiUrl, temporal.namespace, {
      url: api.url,
      key: process.env.DEMO_API_KEY,
    });
  else console.log('\nDemo skipped: API_KEYS is set; set DEMO_API_KEY to a key with every scope to run it.');

  console.log(
    `\nesu-bridge is up. Temporal UI: ${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows — Ctrl-C to stop.`,
  );
  console.log(`Compliance console: ${compliance.url}`);
  console.log(`Bookmaker API: ${api.url} (OpenAPI: ${api.openapiUrl})`);
}

main().catch((err) => {
  if (shutdown.stopping) return; // Ctrl-C during start-up or the demo: the drain exits
  console.error(err);
  void shutdown.exit(1);
});
