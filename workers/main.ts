import { NativeConnection } from '@temporalio/worker';
import { databaseUrl, redactedSummary, temporalConfig } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { createSagaWorker } from './sagas.js';
import { installTelemetry } from './metrics.js';
import { telemetryConfig } from '../config/console.js';
import { connectClient } from '../client/connect.js';
import { startIncidentDetector } from '../client/incident-detector.js';
import { assertProductionReady, developmentSummary } from '../config/production.js';

/** The saga worker process: `npm run start.worker`. Configuration comes from the environment only. */
async function main(): Promise<void> {
  assertProductionReady('worker');
  const temporal = temporalConfig();
  const url = databaseUrl();
  const telemetry = telemetryConfig();
  installTelemetry(telemetry);
  console.log(
    JSON.stringify({ msg: 'esu-bridge worker starting', config: redactedSummary(), developmentDefaults: developmentSummary('worker'), metrics: telemetry.metricsBindAddress ?? 'off' }),
  );

  const migrations = createPool(url, 1);
  try {
    await migrate(migrations);
  } finally {
    await migrations.end();
  }

  const connection = await NativeConnection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  try {
    const saga = await createSagaWorker({ connection, temporal, databaseUrl: url });
    try {
      const running = saga.worker.run(); // until SIGINT/SIGTERM, which the Runtime turns into a graceful shutdown
      const { client, connection: clientConnection } = await connectClient(process.env, temporal);
      try {
        const detector = await startIncidentDetector(client, temporal.taskQueue);
        console.log(JSON.stringify({ msg: 'incident detector', workflowId: detector ?? 'off (INCIDENT_DETECTORS=false)' }));
      } finally {
        await clientConnection.close();
      }
      await running;
    } finally {
      await saga.close();
    }
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
