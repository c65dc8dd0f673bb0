import { connectClient } from '../client/connect.js';
import type { Config } from '../config/index.js';
import { createPool, databaseAnswers } from '../db/pool.js';
import { createReadiness, postgresProbe, temporalProbe } from './health.js';
import type { Shutdown } from './shutdown.js';
import { waitForCurrentSchema } from './schema.js';
import { DependencyUnavailableError, waitFor } from './wait-for.js';

/**
 * What the API and the console stand on, reached the same way: PostgreSQL (waited for with backoff, then its schema
 * checked to be current: `npm run migrate` applies it), then Temporal, each closed by the drain, and the readiness check over both for `/readyz`.
 */
export async function connectAppDependencies(
  shutdown: Shutdown,
  config: Pick<Config, 'temporal' | 'database' | 'startup'>,
) {
  const wait = { deadlineMs: config.startup.waitMs, signal: shutdown.signal };
  const pool = createPool(config.database.url, 10, undefined, config.database.role);
  shutdown.defer('pool', () => pool.end());
  await waitFor('PostgreSQL', () => databaseAnswers(pool), wait);
  await waitForCurrentSchema(pool, wait);
  const { client, connection, taskQueue } = await waitFor(
    'Temporal',
    () => connectClient(process.env, config.temporal),
    wait,
  );
  shutdown.defer('Temporal connection', () => connection.close());
  const readiness = createReadiness({ postgresql: postgresProbe(pool), temporal: temporalProbe(connection) });
  return { pool, client, connection, taskQueue, readiness };
}

/** Runs a process's start-up: a failure exits 1 with its message, unless a signal already began the drain. */
export function runProcess(shutdown: Shutdown, main: () => Promise<void>): void {
  main().catch((err) => {
    if (shutdown.stopping) return; // a signal during start-up: the drain exits
    console.error(err instanceof DependencyUnavailableError ? err.message : err);
    void shutdown.exit(1);
  });
}
