import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createSagaActivities } from './saga-activities.js';
import { createCalendarSource } from '../activities/submissions.js';
import { createExchangeRecorder } from '../activities/availability.js';
import { exchangeMetrics } from './metrics.js';
import { documentSigningConfig } from '../config/signing.js';
import { isProduction } from '../config/env.js';
import { CounterpartClient, type ExchangeObserver } from '../activities/http.js';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { createPgRateLimiter } from '../activities/rate-limit.js';
import { loadConfig, SAGA_WORKER_TOPICS, type Config, type TemporalConfig } from '../config/index.js';
import { createPool, type LogLine, type Pool } from '../db/pool.js';
import { dataErrorInterceptors } from './data-errors.js';

/** Where the workflow bundle starts: workflows/index.ts in development, .js once compiled. */
export const WORKFLOWS_PATH = new URL(`../workflows/index${path.extname(import.meta.url)}`, import.meta.url).pathname;
/**
 * How the saga workflows are bundled, wherever they are: by the worker at start, by `npm run build`, by the tests and
 * the benchmark. zod is evaluated once per worker and shared by every workflow (workflows/shared-modules.ts).
 */
export const SAGA_BUNDLE = {
  workflowsPath: WORKFLOWS_PATH,
  preloadModules: [new URL(`../workflows/shared-modules${path.extname(import.meta.url)}`, import.meta.url).pathname],
};
/**
 * The workflow bundle `npm run build` writes beside the compiled code (dist/workflow-bundle.js,
 * scripts/bundle-workflows.ts), so the image's worker starts without webpack. Absent when running from source.
 */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

/** The prebuilt bundle when there is one. */
export function prebuiltWorkflowBundle(file = PREBUILT_BUNDLE_PATH): { codePath: string } | undefined {
  return existsSync(file) ? { codePath: file } : undefined;
}

/** The configuration the saga worker reads (loadConfig's topics). */
export type SagaWorkerConfig = Pick<Config, (typeof SAGA_WORKER_TOPICS)[number]>;

export interface SagaWorkerDeps {
  connection: NativeConnection;
  temporal: TemporalConfig;
  databaseUrl: string;
  env?: Record<string, string | undefined>;
  /** Parsed already (the worker's start); otherwise loaded from `env`. */
  config?: SagaWorkerConfig;
  observe?: ExchangeObserver;
  /** A bundle (tests) instead of the prebuilt one or bundling workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where the pool reports a lost connection (default: a JSON line on stdout). */
  poolLog?: LogLine;
  /** More activity interceptors, after the worker's own (the benchmark times each activity with one). */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/**
 * Builds the worker of the money sagas with real connectors. The returned `close()` releases the pool
 * and HTTP clients after the worker has stopped.
 */
export async function createSagaWorker({
  connection,
  temporal,
  databaseUrl,
  env = process.env,
  config = loadConfig(env, SAGA_WORKER_TOPICS),
  observe,
  workflowBundle,
  poolLog,
  activityInterceptors = [],
}: SagaWorkerDeps) {
  const { capacity, counterparts, submissions } = config;
  const bundle = workflowBundle ?? prebuiltWorkflowBundle();
  const pool: Pool = createPool(databaseUrl, capacity.databasePoolSize, poolLog, config.database.role);
  // Every exchange feeds the availability index and detectors (PostgreSQL) and the worker's Prometheus metrics.
  const recorder = createExchangeRecorder(pool);
  const observers = [recorder.observe, exchangeMetrics(), ...(observe ? [observe] : [])];
  const observeAll: ExchangeObserver = (exchange) => observers.forEach((o) => o(exchange));
  // Shared by every worker on this database: each counterpart's requests stay inside its configured rate.
  const limiter = createPgRateLimiter(pool, config.rateLimits);
  const esu = new CounterpartClient(counterparts.esu, observeAll, limiter);
  const nomapay = new CounterpartClient(counterparts.nomapay, observeAll, limiter);
  const tsoid = new CounterpartClient(counterparts.nomapayIdentification, observeAll, limiter);
  const afm = new CounterpartClient(counterparts.afm, observeAll, limiter);
  // One key and certificate for every signed document (AFM submissions, incident cards, consent confirmations).
  const { signer } = documentSigningConfig(env);
  const refKey = config.secrets.bettorRefKey;
  const calendar = createCalendarSource(submissions.calendarPath);
  const dataConverter = dataConverterFromEnv(env, { refusePlaintext: isProduction(env) });
  // The sagas start their regulator submissions themselves (a local activity), through the worker's own connection.
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    ...(bundle
      ? { workflowBundle: bundle }
      : { workflowsPath: SAGA_BUNDLE.workflowsPath, bundlerOptions: { preloadModules: SAGA_BUNDLE.preloadModules } }),
    activities: createSagaActivities({
      pool,
      esu,
      nomapay,
      tsoid,
      afm,
      identificationRequired: config.identification.required,
      bettorRefKey: refKey,
      signer,
      afmSender: config.signing.afm.sender,
      incidentSender: config.signing.incident.sender,
      calendar,
      maintenance: submissions.maintenance,
      policy: submissions.policy,
      client,
      taskQueue: temporal.taskQueue,
    }),
    // In production a payload that is not encrypted came from a caller that bypassed the codec: refused.
    dataConverter,
    // A value PostgreSQL refuses as data fails its step at once instead of retrying for ever.
    interceptors: { activity: [dataErrorInterceptors, ...activityInterceptors] },
    maxConcurrentActivityTaskExecutions: capacity.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: capacity.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentLocalActivityExecutions: capacity.maxConcurrentLocalActivityExecutions,
    ...(capacity.maxCachedWorkflows ? { maxCachedWorkflows: capacity.maxCachedWorkflows } : {}),
    ...config.worker.shutdown,
  });
  return {
    worker,
    pool,
    async close() {
      await recorder.close();
      await Promise.all([pool.end(), esu.close(), nomapay.close(), tsoid.close(), afm.close()]);
    },
  };
}
