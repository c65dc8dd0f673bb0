import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { CONSOLE_SERVICE_TOPICS, loadConfig } from '../config/index.js';
import { assertProductionReady } from '../config/production.js';
import { createPool } from '../db/pool.js';
import { ConsoleError } from '../console/audit.js';
import { authenticate } from '../console/auth.js';
import { createConsole } from '../console/index.js';
import { runCommand } from '../client/cli-commands.js';
import { ensureReconciliationSchedule } from '../client/reconciliation-schedule.js';

/**
 * The compliance console's actions from a terminal (client/cli-commands.ts does each one): in-process on
 * PostgreSQL and Temporal (DATABASE_URL, TEMPORAL_*), as the signed-in user CONSOLE_USER / CONSOLE_PASSWORD with
 * that user's role, journalled like the web console. Prints the result (JSON with --json) and returns the exit code.
 */
export async function consoleAction(
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
): Promise<number> {
  assertProductionReady('cli');
  const config = loadConfig(process.env, ['temporal', 'database', ...CONSOLE_SERVICE_TOPICS]);
  const actor = await authenticate(
    config.console.users,
    process.env.CONSOLE_USER ?? '',
    process.env.CONSOLE_PASSWORD ?? '',
  );
  if (!actor)
    throw new ConsoleError('UNAUTHENTICATED', 'set CONSOLE_USER and CONSOLE_PASSWORD to a user of CONSOLE_USERS');

  const { temporal } = config;
  // Lazy: reading inboxes or verifying the journal needs only PostgreSQL.
  const connection = Connection.lazy({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFromEnv() });
  const pool = createPool(config.database.url, 2, undefined, config.database.role);
  try {
    const { service, journal } = createConsole({ pool, client, taskQueue: temporal.taskQueue, config });
    const scheduleReconciliation = () => ensureReconciliationSchedule(client, temporal.taskQueue);
    const result = await runCommand({ actor, service, journal, positionals, flags, scheduleReconciliation });
    console.log(flags.json ? JSON.stringify(result.data, null, 2) : result.text);
    return result.exitCode ?? 0;
  } finally {
    await pool.end();
    await connection.close().catch(() => undefined);
  }
}
