import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectOrStartTemporal } from '../../stack/dev-server.js';
import { startPostgres } from '../../stack/postgres.js';
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
 * Starts the real services once for the integration project: the Temporal dev server (or the one named by
 * TEMPORAL_ADDRESS) and PostgreSQL (embedded, or DATABASE_URL), with migrations applied.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'esu-bridge-it-'));
  const temporal = await connectOrStartTemporal({ namespace: 'default' });
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
  const pool = createPool(postgres.url, 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace);
  project.provide('databaseUrl', postgres.url);
  return async () => {
    await Promise.allSettled([temporal.stop(), postgres.stop()]);
  };
}
