import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { CounterpartClient, type ExchangeObserver } from '../activities/http.js';
import { encryptionCodecFromEnv } from '../codec/encryption.js';
import { counterpartsConfig, workerCapacity, type TemporalConfig } from '../config/index.js';
import { createPool, type Pool } from '../db/pool.js';

/** Where the workflow bundle starts: workflows/index.ts in development, .js once compiled. */
export const WORKFLOWS_PATH = new URL(`../workflows/index${path.extname(import.meta.url)}`, import.meta.url).pathname;

export interface SagaWorkerDeps {
  connection: NativeConnection;
  temporal: TemporalConfig;
  databaseUrl: string;
  env?: Record<string, string | undefined>;
  observe?: ExchangeObserver;
  /** A prebuilt bundle (production, tests) instead of bundling workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * Builds the worker of the money sagas with real connectors. The returned `close()` releases the pool
 * and HTTP clients after the worker has stopped.
 */
export async function createSagaWorker({ connection, temporal, databaseUrl, env = process.env, observe, workflowBundle }: SagaWorkerDeps) {
  const capacity = workerCapacity(env);
  const counterparts = counterpartsConfig(env);
  const pool: Pool = createPool(databaseUrl, capacity.databasePoolSize);
  const esu = new CounterpartClient(counterparts.esu, observe);
  const nomapay = new CounterpartClient(counterparts.nomapay, observe);
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ pool, esu, nomapay }),
    dataConverter: { payloadCodecs: [encryptionCodecFromEnv(env)] },
    maxConcurrentActivityTaskExecutions: capacity.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: capacity.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentLocalActivityExecutions: capacity.maxConcurrentLocalActivityExecutions,
  });
  return {
    worker,
    pool,
    async close() {
      await Promise.all([pool.end(), esu.close(), nomapay.close()]);
    },
  };
}
