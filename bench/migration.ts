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
import { planBettors, seedSource } from '../test/support/migration-data.js';
import { createSagaWorker } from '../workers/sagas.js';

/**
 * `npx tsx bench/migration.ts [N] [concurrency]`: migrates N existing bettors (default 1000) against the
 * real stack — dev server, PostgreSQL, simulators, one in-process worker — with the rate limit lifted, and
 * prints bettors per second, the run count, and the worker's peak memory (RSS and V8 heap, sampled every
 * 50 ms; the worker shares this process). Not part of `npm test`: figures go in the issue note.
 */
const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

function memorySampler() {
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

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'esu-bridge-bench-'));
  const temporal = await connectOrStartTemporal({ namespace: 'default' });
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  const sims = await startSimulators({ esu: { apiKey: 'bench' }, nomapay: { apiKey: 'bench' } });
  const pool = createPool(postgres.url, 4);
  await migrate(pool);
  const run = Date.now().toString(36);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-migration-${run}`,
    DATABASE_URL: postgres.url,
    ESU_BASE_URL: sims.esu.url,
    ESU_API_KEY: 'bench',
    NOMAPAY_BASE_URL: sims.nomapay.url,
    NOMAPAY_API_KEY: 'bench',
  };
  const table = `bench_${run}`;
  await seedSource(pool, table, planBettors(N, `bench-${run}`));
  const config = temporalConfig(env);
  const connection = await NativeConnection.connect({ address: config.address });
  const saga = await createSagaWorker({ connection, temporal: config, databaseUrl: postgres.url, env });
  const { client, connection: clientConnection } = await connectClient(env, config);
  const esuBridge = createEsuBridgeClient({ client, taskQueue: config.taskQueue, bettorRefKey: 'bench-bettor-ref-key-0000' });

  console.log(`migration benchmark on ${temporal.address}: ${N} bettors, concurrency ${CONCURRENCY}, rate limit lifted`);
  const stopSampling = memorySampler();
  const started = performance.now();
  const result = await saga.worker.runUntil(async () => {
    const handle = await esuBridge.startMigration({
      migrationId: `bench-${run}`,
      source: { kind: 'table', table },
      concurrency: CONCURRENCY,
      requestsPerHour: 1_000_000_000,
    });
    return handle.result();
  });
  const seconds = (performance.now() - started) / 1000;
  const peak = stopSampling();
  console.log(
    `migrated ${result.settled} bettors (${result.done} identified) in ${seconds.toFixed(1)} s: ${(result.settled / seconds).toFixed(1)} bettors/s, ` +
      `${result.run} runs; worker peak RSS ${(peak.rss / 2 ** 20).toFixed(0)} MiB, peak V8 heap ${(peak.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`at the default 1800 requests/hour the same migration paces at 600 bettors/hour: ${(N / 600).toFixed(1)} h for ${N}`);

  await saga.close();
  await clientConnection.close();
  await connection.close();
  await pool.end();
  await sims.close();
  await postgres.stop();
  await temporal.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
