import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES, OperationKindKey, AmountTiynKey } from '../../domain/search-attributes.js';
import { startPostgres, type RunningPostgres } from '../../stack/postgres.js';
import { CLUSTER_HISTORY_SHARDS, startTemporalCluster } from '../../stack/temporal-cluster.js';
import type { RunningTemporal } from '../../stack/dev-server.js';
import { finishSignal } from './fixtures/parked-workflow.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const TASK_QUEUE = 'cluster-test';

let dataDir: string;
let postgres: RunningPostgres;
let bundle: WorkflowBundleWithSourceMap;
const started: RunningTemporal[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'temporal-cluster-'));
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  } finally {
    if (saved) process.env.DATABASE_URL = saved;
  }
  bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./fixtures/parked-workflow.ts', import.meta.url)),
    logger: quietLogger,
  });
}, 180_000);

afterAll(async () => {
  for (const temporal of started) await temporal.stop();
  await postgres?.stop();
});

async function startCluster(): Promise<RunningTemporal> {
  const temporal = await startTemporalCluster({
    postgresUrl: postgres.url,
    dataDir: path.join(dataDir, 'temporal'),
    namespace: 'esu-bridge-cluster-test',
  });
  started.push(temporal);
  return temporal;
}

/** Runs a worker for the fixture workflow while `fn` runs. */
async function withWorker<T>(address: string, namespace: string, fn: () => Promise<T>): Promise<T> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, namespace, taskQueue: TASK_QUEUE, workflowBundle: bundle });
  try {
    return await worker.runUntil(fn);
  } finally {
    await connection.close();
  }
}

describe('Temporal cluster on PostgreSQL', () => {
  it('runs with 4+ history shards, our namespace and search attributes, and keeps a workflow across a restart', async () => {
    const first = await startCluster();
    const connection = await Connection.connect({ address: first.address });
    const client = new Client({ connection, namespace: first.namespace });
    const workflowId = `parked-${Date.now()}`;
    try {
      const info = await connection.workflowService.getClusterInfo({});
      expect(info.historyShardCount).toBe(CLUSTER_HISTORY_SHARDS);
      expect(CLUSTER_HISTORY_SHARDS).toBeGreaterThanOrEqual(4);
      expect(info.persistenceStore).toBe('postgres12');
      expect(info.visibilityStore).toBe('postgres12');

      const namespace = await connection.workflowService.describeNamespace({ namespace: first.namespace });
      expect(namespace.namespaceInfo?.name).toBe('esu-bridge-cluster-test');
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: first.namespace,
      });
      const indexedType: Record<string, number> = {
        [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      };
      for (const key of ALL_SEARCH_ATTRIBUTES)
        expect(customAttributes?.[key.name], key.name).toBe(indexedType[key.type]);

      await withWorker(first.address, first.namespace, async () => {
        const handle = await client.workflow.start('parked', {
          workflowId,
          taskQueue: TASK_QUEUE,
          typedSearchAttributes: [
            { key: OperationKindKey, value: 'CLUSTER-TEST' },
            { key: AmountTiynKey, value: 42 },
          ],
        });
        // The first workflow task ran on the worker: the handler is registered, the workflow waits.
        await expect
          .poll(async () => (await handle.describe()).historyLength, { timeout: 30_000 })
          .toBeGreaterThanOrEqual(3);
      });
    } finally {
      await connection.close();
    }
    await first.stop();
    await expect(
      Connection.connect({ address: first.address, connectTimeout: 1_000 }).then((c) =>
        c.workflowService.getSystemInfo({}),
      ),
    ).rejects.toThrow();

    // Same databases, a new server process (on new ports): the parked workflow is still there, and still found by
    // its search attributes on SQL visibility.
    const second = await startCluster();
    const again = await Connection.connect({ address: second.address });
    try {
      const client2 = new Client({ connection: again, namespace: second.namespace });
      const handle = client2.workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await expect
        .poll(
          async () => {
            const ids: string[] = [];
            for await (const wf of client2.workflow.list({
              query: `OperationKind = 'CLUSTER-TEST' AND AmountTiyn = 42 AND WorkflowId = '${workflowId}'`,
            }))
              ids.push(wf.workflowId);
            return ids;
          },
          { timeout: 30_000 },
        )
        .toEqual([workflowId]);
      const result = await withWorker(second.address, second.namespace, async () => {
        await handle.signal(finishSignal, 'the restart');
        return handle.result();
      });
      expect(result).toBe('finished with the restart');
    } finally {
      await again.close();
    }
    await second.stop();
    started.length = 0;
  }, 240_000);
});

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
