import { NativeConnection } from '@temporalio/worker';
import { configSummary, loadConfig, WORKER_TOPICS } from '../config/index.js';
import { createPool, databaseAnswers } from '../db/pool.js';
import { createSagaWorker } from './sagas.js';
import { installTelemetry } from './metrics.js';
import { businessMetrics, METRICS_CONTENT_TYPE } from './business-metrics.js';
import { connectClient } from '../client/connect.js';
import { startIncidentDetector } from '../client/incident-detector.js';
import { resumeFailedSubmissions, startVerdictReader } from '../client/verdict-reader.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';
import { createReadiness, postgresProbe, startHealthServer, temporalProbe } from '../stack/health.js';
import { shutdownOnSignals } from '../stack/shutdown.js';
import { waitForCurrentSchema } from '../stack/schema.js';
import { DependencyUnavailableError, waitFor } from '../stack/wait-for.js';

const shutdown = shutdownOnSignals('esu-bridge worker');

/** The saga worker process: `npm run start.worker`. Configuration comes from the environment only. */
async function main(): Promise<void> {
  assertProductionReady('worker');
  const config = loadConfig(process.env, WORKER_TOPICS);
  const { temporal, telemetry } = config;
  const url = config.database.url;
  const healthListen = config.worker.health;
  const wait = { deadlineMs: config.startup.waitMs, signal: shutdown.signal };
  installTelemetry(telemetry);
  console.log(
    JSON.stringify({
      msg: 'esu-bridge worker starting',
      config: configSummary(config),
      developmentDefaults: developmentSummary('worker'),
    }),
  );

  // The schema is `npm run migrate`'s: the worker checks it is current and does not change it.
  const schemaCheck = createPool(url, 1);
  try {
    await waitFor('PostgreSQL', () => databaseAnswers(schemaCheck), wait);
    await waitForCurrentSchema(schemaCheck, wait);
  } finally {
    await schemaCheck.end();
  }

  const connection = await waitFor(
    'Temporal',
    () => NativeConnection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey }),
    wait,
  );
  shutdown.defer('Temporal connection', () => connection.close());
  const saga = await createSagaWorker({ connection, temporal, databaseUrl: url, config });
  shutdown.defer('pool and counterpart clients', () => saga.close());
  const running = saga.worker.run();
  shutdown.defer('worker', async () => {
    if (saga.worker.getState() === 'RUNNING') saga.worker.shutdown();
    await running;
  });
  // A worker that stops by itself (a fatal error) takes the process down, non-zero, for its supervisor to restart.
  running.then(
    () => (shutdown.stopping ? undefined : shutdown.exit(1)),
    (err) => {
      if (shutdown.stopping) return;
      console.error(JSON.stringify({ level: 'ERROR', msg: 'worker stopped', error: (err as Error).message }));
      void shutdown.exit(1);
    },
  );

  if (healthListen) {
    const readiness = createReadiness({
      postgresql: postgresProbe(saga.pool),
      temporal: temporalProbe(connection),
      worker: async () => {
        if (saga.worker.getState() !== 'RUNNING') throw new Error(`worker is ${saga.worker.getState()}`);
      },
    });
    // A pool of its own for the scrape's queries: at most two connections, never one the sagas are waiting for.
    const metricsPool = createPool(url, 2, undefined, config.database.role);
    shutdown.defer('metrics pool', () => metricsPool.end());
    const health = await startHealthServer(healthListen, readiness, {
      metrics: { contentType: METRICS_CONTENT_TYPE, render: businessMetrics(metricsPool) },
    });
    shutdown.defer('health server', () => health.close());
    console.log(
      JSON.stringify({
        msg: 'worker health',
        healthz: `${health.url}/healthz`,
        readyz: `${health.url}/readyz`,
        businessMetrics: `${health.url}/metrics`,
      }),
    );
  }

  const { client, connection: clientConnection } = await connectClient(process.env, temporal);
  try {
    const detector = await startIncidentDetector(client, temporal.taskQueue, config.incidents);
    console.log(JSON.stringify({ msg: 'incident detector', workflowId: detector ?? 'off (INCIDENT_DETECTORS=false)' }));
    const reader = await startVerdictReader(client, temporal.taskQueue, config.submissions.verdictReader);
    console.log(JSON.stringify({ msg: 'AFM verdict reader', workflowId: reader ?? 'off (AFM_VERDICT_READER=false)' }));
    // A configuration fix (a key, a certificate) arrives with a restart: FAILED submissions try again by themselves.
    const resumed = await resumeFailedSubmissions(client, temporal.taskQueue, saga.pool);
    if (resumed) console.log(JSON.stringify({ msg: 'FAILED submissions told to send again', count: resumed }));
  } finally {
    await clientConnection.close();
  }
}

main().catch((err) => {
  if (shutdown.stopping) return; // a signal during start-up: the drain exits
  console.error(err instanceof DependencyUnavailableError ? err.message : err);
  void shutdown.exit(1);
});
