import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

/**
 * The worker's workflow cache by default (TEMPORAL_WORKER_CACHED_WORKFLOWS); chosen by `npm run bench -- 300 30`
 * (docs/operations.md): at 20, 30 operations at once (each deposit and payout a second workflow, its submission)
 * evicted workflows between their tasks, and their next tasks waited out the sticky queue's 10-second time-out
 * (p99 10–21 s for every kind, the floor included); at 60 and 100 none did, the worker peaking at 369 and 386 MiB.
 */
export const WORKER_CACHED_WORKFLOWS = 60;
/** The worker's workflow task slots by default: 20, as measured before the cache grew (2 cores run no more at once). */
export const WORKER_WORKFLOW_TASK_SLOTS = 20;
/**
 * The Node flags the worker process runs with (package.json `start.worker`, docker-compose.yml's worker, the
 * benchmarks). V8's default old space (~4 GiB here) lets garbage pile up between collections; 256 MiB holds the
 * default cache with room to spare and keeps the RSS near its live size. The young generation is per isolate, and
 * the worker has several (its main thread, the SDK's workflow thread, tsx's loader): V8's default 16 MiB
 * semi-space put the worker at 397–413 MiB under `npm run bench -- 30 10`, 4 MiB at 324–343 MiB with the same
 * throughput (2 MiB: 311–315, deposits 10 % slower). Measured in docs/operations.md.
 */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=256 --max-semi-space-size=4';

const CapacityEnv = z.object({
  TEMPORAL_WORKER_CAPACITY_ACTIVITIES: z.coerce.number().int().positive().default(200),
  TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS: z.coerce.number().int().positive().default(WORKER_WORKFLOW_TASK_SLOTS),
  TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES: z.coerce.number().int().positive().default(200),
  // Submissions stay open for a working day or more: thousands may be waiting at once. The SDK's default
  // cache (by heap size: about 2 300 workflows on a 4 GiB heap) keeps every one of them, ~2 MiB each in the
  // worker's RSS (docs/operations.md). 20 kept the worker under 400 MiB where 40 and 100 did not while every workflow evaluated the whole bundle; with each evaluating only its own modules, 60 does (above); an evicted one replays
  // (a few dozen events) when its signal or timer comes. Not below the workflow task slots: the SDK would
  // lower those to it.
  TEMPORAL_WORKER_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(2, 'must be at least 2')
    .default(WORKER_CACHED_WORKFLOWS),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(20),
});

export interface CapacityConfig {
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  maxCachedWorkflows: number;
  databasePoolSize: number;
}

/** The worker's slots, its workflow cache and its pool (the heap is WORKER_NODE_OPTIONS, a flag of node itself). */
export function workerCapacity(env: Env = process.env): CapacityConfig {
  const e = parseEnv(CapacityEnv, env);
  return {
    maxConcurrentActivityTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: e.TEMPORAL_WORKER_CAPACITY_WORKFLOW_TASKS,
    maxConcurrentLocalActivityExecutions: e.TEMPORAL_WORKER_CAPACITY_LOCAL_ACTIVITIES,
    maxCachedWorkflows: e.TEMPORAL_WORKER_CACHED_WORKFLOWS,
    databasePoolSize: e.DATABASE_POOL_SIZE,
  };
}
