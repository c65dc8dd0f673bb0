import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { connectClient } from '../client/connect.js';
import { createEsuBridgeClient } from '../client/index.js';
import { temporalConfig } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { startSimulators } from '../simulators/index.js';
import { connectOrStartTemporal } from '../stack/dev-server.js';
import { startPostgres } from '../stack/postgres.js';
import { createSagaWorker } from '../workers/sagas.js';

/**
 * What every benchmark runs against: the dev server (or TEMPORAL_ADDRESS), a fresh embedded PostgreSQL (or
 * DATABASE_URL), the simulators on free ports, one in-process worker on its own task queue and a client.
 */
export async function startBenchStack(purpose: string, extraEnv: Record<string, string> = {}) {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'esu-bridge-bench-'));
  const temporal = await connectOrStartTemporal({ namespace: 'default' });
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  const sims = await startSimulators({ esu: { apiKey: 'bench' }, nomapay: { apiKey: 'bench' }, afm: { apiKey: 'bench' } });
  const migrations = createPool(postgres.url, 1);
  await migrate(migrations).finally(() => migrations.end());
  const run = Date.now().toString(36);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-${purpose}-${run}`,
    DATABASE_URL: postgres.url,
    ESU_BASE_URL: sims.esu.url,
    ESU_API_KEY: 'bench',
    NOMAPAY_BASE_URL: sims.nomapay.url,
    NOMAPAY_API_KEY: 'bench',
    AFM_BASE_URL: sims.afm.url,
    AFM_API_KEY: 'bench',
    // The benchmarks measure the bridge, not the regulator's hourly budget (the shared outbound rate limit,
    // 1 800 an hour per counterpart by default): a benchmark that measures the limit sets its own.
    ESU_RATE_LIMIT_PER_HOUR: '36000000',
    NOMAPAY_RATE_LIMIT_PER_HOUR: '36000000',
    NOMAPAY_ID_RATE_LIMIT_PER_HOUR: '36000000',
    AFM_RATE_LIMIT_PER_HOUR: '36000000',
    OUTBOUND_RATE_LIMIT_BURST: '100000',
    ...extraEnv,
  };
  const config = temporalConfig(env);
  const connection = await NativeConnection.connect({ address: config.address });
  const saga = await createSagaWorker({ connection, temporal: config, databaseUrl: postgres.url, env });
  const { client, connection: clientConnection } = await connectClient(env, config);
  const esuBridge = createEsuBridgeClient({ client, taskQueue: config.taskQueue, bettorRefKey: 'bench-bettor-ref-key-0000' });
  return {
    run,
    temporal,
    connection,
    saga,
    client,
    esuBridge,
    async stop() {
      await saga.close();
      await clientConnection.close();
      await connection.close();
      await sims.close();
      await postgres.stop();
      await temporal.stop();
    },
  };
}

/** Samples this process's memory every 50 ms (the worker shares it); the returned function stops and reports the peaks. */
export function memorySampler(): () => { rss: number; heapUsed: number } {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 50);
  return () => (clearInterval(timer), peak);
}
