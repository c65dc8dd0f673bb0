import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { waitFor } from './wait-for.js';

/**
 * Our namespace and custom search attributes on a Temporal cluster, from the one list in
 * domain/search-attributes.ts: what `temporal server start-dev --search-attribute` does for the dev server.
 * Idempotent: an existing namespace is kept, attributes already registered with the same type are skipped, one
 * registered with another type is an error (queries on it would silently mean something else).
 */
const { temporal } = proto; // CommonJS package: named exports are not visible to Node's ESM loader
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** `Name → indexed value type` of every custom search attribute esu-bridge uses. */
export function searchAttributeTypes(): Record<string, proto.temporal.api.enums.v1.IndexedValueType> {
  return Object.fromEntries(
    ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );
}

/** True once the frontend's gRPC health check says SERVING (what `temporal operator cluster health` asks). */
export async function clusterHealthy(connection: Connection): Promise<void> {
  const { status } = await connection.healthService.check({
    service: 'temporal.api.workflowservice.v1.WorkflowService',
  });
  const { ServingStatus } = proto.grpc.health.v1.HealthCheckResponse;
  if (status !== ServingStatus.SERVING)
    throw new Error(`the frontend reports ${ServingStatus[status ?? 0] ?? status}, not SERVING`);
}

export interface NamespaceReport {
  namespaceCreated: boolean;
  searchAttributesAdded: string[];
}

export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  retentionDays: number,
): Promise<NamespaceReport> {
  let namespaceCreated = false;
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if ((err as { code?: number }).code !== 5 /* NOT_FOUND */) throw err;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
    namespaceCreated = true;
  }
  // A namespace just registered reaches every frontend's namespace cache within seconds: until then it is NOT_FOUND.
  const { customAttributes } = await waitFor(
    `namespace ${namespace}`,
    () => connection.operatorService.listSearchAttributes({ namespace }),
    {
      deadlineMs: 60_000,
      initialDelayMs: 250,
      maxDelayMs: 2_000,
      log: () => undefined,
    },
  );
  const wanted = searchAttributeTypes();
  const missing: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const [name, type] of Object.entries(wanted)) {
    const existing = customAttributes?.[name];
    if (existing === undefined || existing === null) missing[name] = type;
    else if (existing !== type)
      throw new Error(
        `search attribute ${name} is registered as ${IndexedValueType[existing]} on namespace ${namespace}; esu-bridge needs ${IndexedValueType[type]}`,
      );
  }
  if (Object.keys(missing).length)
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  return { namespaceCreated, searchAttributesAdded: Object.keys(missing) };
}
