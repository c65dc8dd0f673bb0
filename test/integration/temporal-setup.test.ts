import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { inject } from 'vitest';
import { msToTs } from '@temporalio/common/lib/time.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { REPO_ROOT } from '../../stack/paths.js';
import { clusterHealthy, ensureNamespace } from '../../stack/temporal-namespace.js';
import { uniqueId } from '../support/ids.js';

/**
 * The compose file's namespace job (scripts/setup-temporal.ts): a namespace of its own on the integration
 * project's Temporal, created with the search attributes of domain/search-attributes.ts, idempotently, and a
 * failure that is not hidden.
 */
const execFileAsync = promisify(execFile);
const { IndexedValueType } = proto.temporal.api.enums.v1;
let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => connection?.close());

describe('setting up a Temporal cluster for esu-bridge', () => {
  it('reports the cluster healthy, then creates the namespace with every search attribute of the one list, once', async () => {
    await clusterHealthy(connection);
    const namespace = uniqueId('esu-setup');
    const first = await ensureNamespace(connection, namespace, 1);
    expect(first).toEqual({ namespaceCreated: true, searchAttributesAdded: ALL_SEARCH_ATTRIBUTES.map((k) => k.name) });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of ALL_SEARCH_ATTRIBUTES)
      expect(IndexedValueType[customAttributes![key.name]!], key.name).toBe(`INDEXED_VALUE_TYPE_${key.type}`);
    expect(await ensureNamespace(connection, namespace, 1)).toEqual({
      namespaceCreated: false,
      searchAttributesAdded: [],
    });
  });

  it('refuses a namespace where one of our attributes has another type', async () => {
    const namespace = uniqueId('esu-setup-clash');
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: { BettorRef: IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
    });
    await expect(ensureNamespace(connection, namespace, 1)).rejects.toThrow(
      /BettorRef is registered as INDEXED_VALUE_TYPE_TEXT .* needs INDEXED_VALUE_TYPE_KEYWORD/,
    );
  });

  it('runs as the compose job: exit 0 once done, non-zero with the reason when the cluster never answers', async () => {
    const run = (env: Record<string, string>) =>
      execFileAsync('npx', ['tsx', 'scripts/setup-temporal.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    const done = await run({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: uniqueId('esu-setup-job'),
    });
    expect(JSON.parse(done.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      msg: 'temporal ready for esu-bridge',
      namespaceCreated: true,
    });
    const failed = await run({ TEMPORAL_ADDRESS: '127.0.0.1:1', STARTUP_WAIT_SECONDS: '2' }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/Temporal cluster health did not answer within 2 s/);
  });
});
