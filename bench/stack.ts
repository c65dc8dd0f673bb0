import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, type BundleOptions } from '@temporalio/worker';
import { connectClient } from '../client/connect.js';
import { createEsuBridgeClient } from '../client/index.js';
import { startVerdictReader } from '../client/verdict-reader.js';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import { loadConfig, WORKER_NODE_OPTIONS } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { startSimulators } from '../simulators/index.js';
import { connectOrStartTemporal, type RunningTemporal } from '../stack/dev-server.js';
import { startPostgres } from '../stack/postgres.js';
import { startTemporalCluster } from '../stack/temporal-cluster.js';
import { SAGA_BUNDLE } from '../workers/sagas.js';
import { spawnNode, type NodeProcess } from './process.js';

export type BenchServer = 'dev' | 'cluster';

export interface BenchStackOptions {
  /** dev: `temporal server start-dev` (or TEMPORAL_ADDRESS); cluster: temporal-server on the PostgreSQL below. */
  server?: BenchServer;
  /** Saga worker processes on the task queue (default 1). */
  workers?: number;
  /** Also floor worker processes (bench/floor-workflows.ts) on a queue of their own, as many as `workers`. */
  floor?: boolean;
  extraEnv?: Record<string, string>;
}

const WORKER_ENTRY = fileURLToPath(new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const FLOOR_WORKFLOWS = fileURLToPath(
  new URL(`./floor-workflows${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);
const READY = 'bench worker ready';
let runtimeInstalled = false;

/**
 * What every benchmark runs against: a Temporal server (the dev server, or the PostgreSQL-backed cluster), a
 * fresh embedded PostgreSQL (or DATABASE_URL), the simulators on free ports, and the worker(s) **each in its own
 * process** (bench/worker.ts: the production saga worker with the default capacity, on a workflow bundle built
 * here once, as the image ships one), and a client. The pids are returned for /proc sampling.
 */
export async function startBenchStack(purpose: string, opts: BenchStackOptions = {}) {
  // Once per process: a benchmark that starts a stack per size or per server (submissions 1000 then 10000,
  // --server both) would otherwise fail on the second with "Runtime singleton has already been installed".
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
  const server = opts.server ?? 'dev';
  const workerCount = opts.workers ?? 1;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'esu-bridge-bench-'));
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  const stops: (() => Promise<unknown>)[] = [() => postgres.stop()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((err: Error) => console.error(`bench stop: ${err.message}`));
  };
  try {
    const temporal: RunningTemporal =
      server === 'cluster'
        ? await startTemporalCluster({
            postgresUrl: postgres.url,
            dataDir: path.join(dataDir, 'temporal-cluster'),
            namespace: 'default',
          })
        : await connectOrStartTemporal({ namespace: 'default' });
    stops.push(() => temporal.stop());
    const sims = await startSimulators({
      esu: { apiKey: 'bench' },
      nomapay: { apiKey: 'bench' },
      afm: { apiKey: 'bench' },
    });
    stops.push(() => sims.close());
    const migrations = createPool(postgres.url, 1);
    await migrate(migrations).finally(() => migrations.end());
    const run = Date.now().toString(36);
    const [sagaBundle, floorBundle] = await Promise.all([
      writeBundle(dataDir, 'sagas', { ...SAGA_BUNDLE, failureConverterPath: FAILURE_CONVERTER_PATH }),
      opts.floor ? writeBundle(dataDir, 'floor', { workflowsPath: FLOOR_WORKFLOWS }) : undefined,
    ]);
    const env: Record<string, string | undefined> = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: `bench-${purpose}-${run}`,
      DATABASE_URL: postgres.url,
      ESU_BASE_URL: sims.esu.url,
      ESU_API_KEY: 'bench',
      NOMAPAY_BASE_URL: sims.nomapay.url,
      NOMAPAY_API_KEY: 'bench',
      AFM_BASE_URL: sims.afm.url,
      AFM_API_KEY: 'bench',
      BETTOR_REF_KEY: 'bench-bettor-ref-key-0000',
      // The benchmarks measure the bridge, not the regulator's hourly budget (the shared outbound rate limit,
      // 1 800 an hour per counterpart by default): a benchmark that measures the limit sets its own.
      ESU_RATE_LIMIT_PER_HOUR: '36000000',
      NOMAPAY_RATE_LIMIT_PER_HOUR: '36000000',
      NOMAPAY_ID_RATE_LIMIT_PER_HOUR: '36000000',
      AFM_RATE_LIMIT_PER_HOUR: '36000000',
      OUTBOUND_RATE_LIMIT_BURST: '100000',
      INCIDENT_DETECTORS: 'false',
      LOG_LEVEL: 'WARN',
      ...opts.extraEnv,
    };
    const { temporal: config, submissions } = loadConfig(env, ['temporal', 'submissions']);
    // The worker's production Node flags (WORKER_NODE_OPTIONS), or BENCH_WORKER_NODE_ARGS to measure others ('' for none).
    const workerNodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? WORKER_NODE_OPTIONS).split(/\s+/).filter(Boolean);
    const start = (kind: 'saga' | 'floor', taskQueue: string, codePath: string) =>
      spawnNode(
        WORKER_ENTRY,
        { ...env, BENCH_WORKER: kind, BENCH_WORKFLOW_BUNDLE: codePath, TEMPORAL_TASK_QUEUE: taskQueue },
        { readyMarker: READY, nodeArgs: workerNodeArgs },
      );
    const workers: NodeProcess[] = [];
    const floorWorkers: NodeProcess[] = [];
    stops.push(() => Promise.all([...workers, ...floorWorkers].map((w) => w.stop())));
    for (let i = 0; i < workerCount; i++) workers.push(await start('saga', config.taskQueue, sagaBundle));
    const floorQueue = `bench-floor-${run}`;
    if (floorBundle)
      for (let i = 0; i < workerCount; i++) floorWorkers.push(await start('floor', floorQueue, floorBundle));
    const { client, connection: clientConnection } = await connectClient(env, config);
    stops.push(() => clientConnection.close());
    // As workers/main.ts does at start: the one AFM verdict reader of this task queue.
    await startVerdictReader(client, config.taskQueue, submissions.verdictReader);
    const esuBridge = createEsuBridgeClient({ client, taskQueue: config.taskQueue, bettorRefKey: env.BETTOR_REF_KEY! });
    return {
      run,
      server,
      temporal,
      env,
      postgresUrl: postgres.url,
      taskQueue: config.taskQueue,
      floorQueue,
      workers,
      floorWorkers,
      client,
      esuBridge,
      sims,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function writeBundle(dir: string, name: string, options: Omit<BundleOptions, 'logger'>): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...options, logger: new DefaultLogger('WARN') });
  const file = path.join(dir, `${name}-workflow-bundle.js`);
  await writeFile(file, code);
  return file;
}
