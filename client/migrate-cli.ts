import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { connectClient } from './connect.js';
import { assertProductionReady } from '../config/production.js';
import { createMigrationClient, type MigrationHandle } from './migration.js';
import { InvalidRequestError } from './errors.js';
import { StepRejectedError } from './identification.js';
import type { MigrationProgress } from '../domain/migration.js';
import { progressLine } from './migration-progress.js';

/**
 * The bulk migration from a terminal (standalone until the main CLI lands):
 *
 *   tsx client/migrate-cli.ts start  <migrationId> (--csv <file> | --table <name>) [--concurrency N] [--rate N/hour] [--no-watch]
 *   tsx client/migrate-cli.ts watch  <migrationId>
 *   tsx client/migrate-cli.ts pause  <migrationId>
 *   tsx client/migrate-cli.ts resume <migrationId>
 *   tsx client/migrate-cli.ts cancel <migrationId>
 *
 * Connects with the TEMPORAL_* variables. The acting user in the journal is --actor, else the OS user.
 * A CSV path is read by the worker, so it must be a path the worker can see.
 */
const USAGE = 'usage: migrate-cli start|watch|pause|resume|cancel <migrationId> [--csv file | --table name] [--concurrency N] [--rate N] [--actor name] [--no-watch]';
const FINAL = new Set(['COMPLETED', 'CANCELLED']);

async function watch(handle: MigrationHandle): Promise<MigrationProgress> {
  const tty = process.stdout.isTTY;
  let last = '';
  for (;;) {
    const p = await handle.status();
    const line = progressLine(p, Date.now(), tty ? 30 : 20);
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (line !== last) console.log(line);
    last = line;
    if (FINAL.has(p.status)) {
      if (tty) process.stdout.write('\n');
      return p;
    }
    await new Promise((resolve) => setTimeout(resolve, tty ? 1000 : 10_000));
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      csv: { type: 'string' },
      table: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      actor: { type: 'string' },
      'no-watch': { type: 'boolean' },
    },
  });
  const [command, migrationId] = positionals;
  if (!command || !migrationId || !['start', 'watch', 'pause', 'resume', 'cancel'].includes(command)) {
    console.error(USAGE);
    process.exit(2);
  }
  assertProductionReady('migration-cli');
  const actor = values.actor ?? userInfo().username;
  const { client, connection, taskQueue } = await connectClient();
  try {
    const migrations = createMigrationClient({ client, taskQueue });
    if (command === 'start') {
      const source = values.csv ? { kind: 'csv' as const, path: values.csv } : { kind: 'table' as const, table: values.table ?? 'migration_bettors' };
      const handle = await migrations.startMigration({
        migrationId,
        source,
        requestedBy: actor,
        ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
        ...(values.rate ? { requestsPerHour: Number(values.rate) } : {}),
      });
      console.log(`${handle.joined ? 'joined' : 'started'} ${handle.workflowId}`);
      if (!values['no-watch']) await watch(handle);
      return;
    }
    const handle = migrations.migration(migrationId);
    if (command === 'watch') await watch(handle);
    else console.log(progressLine(await handle[command as 'pause' | 'resume' | 'cancel'](actor), Date.now()));
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  if (err instanceof InvalidRequestError || err instanceof StepRejectedError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
