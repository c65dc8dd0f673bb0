import { Connection } from '@temporalio/client';
import { loadConfig } from '../config/index.js';
import { clusterHealthy, ensureNamespace } from '../stack/temporal-namespace.js';
import { DependencyUnavailableError, waitFor } from '../stack/wait-for.js';

/**
 * Prepares a Temporal cluster for esu-bridge, once per deployment (docker-compose.yml's temporal-namespace job:
 * `node dist/scripts/setup-temporal.js`): waits with backoff until the cluster reports healthy, then creates
 * TEMPORAL_NAMESPACE if missing and registers the custom search attributes of domain/search-attributes.ts. Any
 * error ends it non-zero with the reason, so the services that depend on it do not start.
 */
async function main(): Promise<void> {
  const { temporal, startup } = loadConfig(process.env, ['temporal', 'startup']);
  const connection = await waitFor(
    'Temporal cluster health',
    async () => {
      const candidate = await Connection.connect({
        address: temporal.address,
        tls: temporal.tls,
        apiKey: temporal.apiKey,
        connectTimeout: 5_000,
      });
      try {
        await clusterHealthy(candidate);
        return candidate;
      } catch (err) {
        await candidate.close();
        throw err;
      }
    },
    { deadlineMs: startup.waitMs },
  );
  try {
    const report = await ensureNamespace(connection, temporal.namespace, temporal.namespaceRetentionDays);
    console.log(
      JSON.stringify({
        msg: 'temporal ready for esu-bridge',
        address: temporal.address,
        namespace: temporal.namespace,
        ...report,
      }),
    );
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof DependencyUnavailableError ? err.message : err);
  process.exitCode = 1;
});
