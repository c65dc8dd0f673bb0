import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectOrStartTemporal, type RunningTemporal } from '../../stack/dev-server.js';
import { startPostgres } from '../../stack/postgres.js';
import { startTemporalCluster } from '../../stack/temporal-cluster.js';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    databaseUrl: string;
  }
}

/**
 * Starts the real services once for the integration project: PostgreSQL (embedded, or DATABASE_URL), with
 * migrations applied, and Temporal — the dev server (or the one named by TEMPORAL_ADDRESS), or with
 * ESU_BRIDGE_TEMPORAL=cluster a Temporal server on that PostgreSQL (its own databases, SQL visibility, 4 shards),
 * the shape a bookmaker runs; `npm test` runs the project both ways.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'esu-bridge-it-'));
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  let temporal: RunningTemporal | undefined;
  try {
    const pool = createPool(postgres.url, 1);
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    temporal =
      process.env.ESU_BRIDGE_TEMPORAL === 'cluster'
        ? await startTemporalCluster({
            postgresUrl: postgres.url,
            dataDir: path.join(dataDir, 'temporal'),
            namespace: 'default',
          })
        : await connectOrStartTemporal({ namespace: 'default' });
  } catch (err) {
    await Promise.allSettled([temporal?.stop(), postgres.stop()]);
    throw err;
  }
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace);
  project.provide('databaseUrl', postgres.url);
  const running = temporal;
  return async () => {
    // Temporal first: the cluster keeps its state in that PostgreSQL.
    await running.stop();
    await postgres.stop();
  };
}
