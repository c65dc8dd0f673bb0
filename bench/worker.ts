import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config/index.js';
import { createSagaWorker } from '../workers/sagas.js';
import { activityTimer } from './activity-timer.js';

/**
 * A benchmark's worker process (bench/stack.ts starts it with `node --import tsx`): BENCH_WORKER=saga is the
 * production worker (workers/sagas.ts, configuration from the environment, the capacity defaults of
 * config/capacity.ts) on a workflow bundle built once by the benchmark (BENCH_WORKFLOW_BUNDLE, as the image's
 * prebuilt one: no webpack in the measured process); BENCH_WORKER=floor runs bench/floor-workflows.ts with no-op
 * activities and the same capacity. Writes `{"msg":"bench worker ready"}` once polling; SIGTERM drains it, and
 * it reports its memory split (main thread's V8 heap, external, RSS) on stderr as it stops.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const kind = process.env.BENCH_WORKER ?? 'saga';
  const codePath = process.env.BENCH_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('BENCH_WORKFLOW_BUNDLE: the path of the workflow bundle is required');
  const { temporal, capacity: workerCapacity } = loadConfig(process.env, ['temporal', 'capacity']);
  const connection = await NativeConnection.connect({ address: temporal.address });
  let worker: Worker;
  let close = async () => undefined as unknown;
  const timer = activityTimer();
  if (kind === 'floor') {
    const { databasePoolSize: _, ...capacity } = workerCapacity;
    worker = await Worker.create({
      connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      workflowBundle: { codePath },
      activities: { noop: async () => undefined, noopLocal: async () => undefined },
      ...capacity,
    });
  } else {
    const saga = await createSagaWorker({
      connection,
      temporal,
      databaseUrl: loadConfig(process.env, ['database']).database.url,
      workflowBundle: { codePath },
      activityInterceptors: [timer.interceptor],
    });
    worker = saga.worker;
    close = saga.close;
  }
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  const running = worker.run();
  console.log(JSON.stringify({ msg: 'bench worker ready', kind, pid: process.pid }));
  await running;
  // Where the RSS went, for the benchmark's output (stderr is the benchmark's): this thread's V8 heap against the
  // rest (the SDK's core, buffers, the workflow thread's heap).
  const m = process.memoryUsage();
  const mib = (v: number) => Math.round(v / 2 ** 20);
  console.error(
    JSON.stringify({
      msg: 'bench worker memory at shutdown (MiB)',
      kind,
      rss: mib(m.rss),
      heapTotal: mib(m.heapTotal),
      heapUsed: mib(m.heapUsed),
      external: mib(m.external),
      arrayBuffers: mib(m.arrayBuffers),
    }),
  );
  // Each activity's own time (local activities run inside a workflow task: this splits the "task run" column).
  for (const line of timer.report())
    console.error(JSON.stringify({ msg: 'bench worker activity time', kind, ...line }));
  await close();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
