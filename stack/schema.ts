import { assertSchemaCurrent, SchemaNotCurrentError } from '../db/migrate.js';
import type { Pool } from '../db/pool.js';
import { DependencyUnavailableError, waitFor, type WaitOptions } from './wait-for.js';

/**
 * The long-running processes do not migrate: `npm run migrate` does, once per deployment (in compose, a one-shot
 * job they start after). A process that finds migrations missing waits for them like for any dependency (backoff,
 * one log line per attempt naming the missing migrations), and past STARTUP_WAIT_SECONDS exits 1 naming them and
 * the command that applies them. Waiting covers a rollout where the job and the processes start together.
 */
export async function waitForCurrentSchema(pool: Pool, options: WaitOptions): Promise<void> {
  let missing: string[] | undefined;
  try {
    await waitFor(
      'the database schema',
      () =>
        assertSchemaCurrent(pool).catch((err) => {
          if (err instanceof SchemaNotCurrentError) missing = err.missing;
          throw err;
        }),
      options,
    );
  } catch (err) {
    if (!(err instanceof DependencyUnavailableError) || !missing) throw err;
    throw new DependencyUnavailableError(
      `The database schema is not current after ${Math.round(options.deadlineMs / 1000)} s: migrations ${missing.join(', ')} are not applied. ` +
        'Run `npm run migrate` with the same DATABASE_URL (in docker compose, the migrate service), then start again.',
    );
  }
}
