import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv } from '../../stack/test-server.js';
import { SAGA_BUNDLE } from '../../workers/sagas.js';
import { uniqueId } from './ids.js';

/**
 * The test file's time-skipping server and workflow bundle, set by `useTimeSkipping()` before the file's first test
 * (live bindings: read them inside tests and hooks, not at the file's top level).
 */
export let env: TestWorkflowEnvironment;
export let workflowBundle: WorkflowBundleWithSourceMap;

/**
 * One bundle per test file and a time-skipping server of its own (skipping time is server-wide), torn down after
 * the file, or after each test with `server: 'per-test'` for files whose tests travel to their own time of day.
 * `logLevel` quiets the SDK's runtime: ERROR where tests fail activities on purpose many times over.
 */
export function useTimeSkipping({
  logLevel = 'WARN',
  server = 'per-file',
}: { logLevel?: LogLevel; server?: 'per-file' | 'per-test' } = {}): void {
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger(logLevel) });
    if (server === 'per-file') env = await createTimeSkippingEnv();
    workflowBundle = await bundleWorkflowCode({ ...SAGA_BUNDLE, logger: new DefaultLogger('WARN') });
  });
  if (server === 'per-test') {
    beforeEach(async () => {
      env = await createTimeSkippingEnv();
    });
    afterEach(async () => {
      await env?.teardown();
    });
  } else {
    afterAll(async () => {
      await env?.teardown();
    });
  }
}

/** Runs `fn` while a worker of the file's bundle, with these (fake) activities, polls a task queue of its own. */
export async function withWorker<T>(activities: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  return worker.runUntil(() => fn(taskQueue));
}

/**
 * Replays a closed workflow's history with today's bundle, as a worker does when it takes the run back from its
 * cache (a query on a closed run, a restart): throws the nondeterminism error if the code does not replay.
 */
export async function replayHistory(handle: WorkflowHandle): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), handle.workflowId);
}

/** Terminates workflows a test left open, by workflow id (their timers would hold time skipping); closed ones pass. */
export async function endWorkflows(workflowIds: string[]): Promise<void> {
  await Promise.all(
    workflowIds.map((id) =>
      env.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
}
