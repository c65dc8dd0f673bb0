import { userInfo } from 'node:os';
import type { MigrationHandle } from '../../client/migration.js';
import type { MigrationProgress } from '../../domain/migration.js';
import { UsageError } from '../../client/cli-commands.js';
import { group, JSON_FLAG, leaf, registerCommand, str, type LeafContext } from '../registry.js';

/**
 * The bulk migration of bettors from the bookmaker's old records: start, watch, pause, resume, cancel. Connects
 * with the TEMPORAL_* variables; the acting user in the journal is --actor, else the OS user. A CSV path is read by
 * the worker, so it must be a path the worker can see.
 */
const FINAL = new Set(['COMPLETED', 'CANCELLED']);
const ID = { type: 'positional', description: 'the migration id', valueHint: 'migrationId' } as const;
const ACTOR = { actor: { type: 'string', description: 'who acts, for the journal (default: the OS user)' } } as const;

async function watch(handle: MigrationHandle, json: boolean): Promise<MigrationProgress> {
  const { progressLine } = await import('../../client/migration-progress.js');
  const tty = process.stdout.isTTY && !json;
  let last = '';
  for (;;) {
    const p = await handle.status();
    const line = json ? JSON.stringify(p) : progressLine(p, Date.now(), tty ? 30 : 20);
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

function positiveInt(args: LeafContext['args'], name: string): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of 1 or more, got "${raw}"`);
  return n;
}

async function withMigrations<T>(
  fn: (migrations: ReturnType<typeof import('../../client/migration.js').createMigrationClient>) => Promise<T>,
): Promise<T> {
  const { assertProductionReady } = await import('../../config/production.js');
  assertProductionReady('migration-cli');
  const { connectClient } = await import('../../client/connect.js');
  const { createMigrationClient } = await import('../../client/migration.js');
  const { client, connection, taskQueue } = await connectClient();
  try {
    return await fn(createMigrationClient({ client, taskQueue }));
  } finally {
    await connection.close();
  }
}

const steer = (command: 'pause' | 'resume' | 'cancel', description: string) =>
  leaf({
    name: command,
    description,
    args: { id: ID, ...ACTOR, ...JSON_FLAG },
    run: async ({ args }) =>
      withMigrations(async (migrations) => {
        const { progressLine } = await import('../../client/migration-progress.js');
        const p = await migrations.migration(str(args, 'id')!)[command](str(args, 'actor') ?? userInfo().username);
        console.log(args.json ? JSON.stringify(p) : progressLine(p, Date.now()));
        return 0;
      }),
  });

registerCommand(
  'migration',
  group({
    name: 'migration',
    description: "the bulk migration of the bookmaker's bettors: start, watch, pause, resume, cancel",
    subCommands: {
      start: leaf({
        name: 'start',
        description: 'start a migration (again with the same id joins it) and watch it to the end unless --no-watch',
        args: {
          id: ID,
          csv: { type: 'string', description: 'a CSV file the worker can read', valueHint: 'file' },
          table: {
            type: 'string',
            description: 'a table of the bridge database (default migration_bettors)',
            valueHint: 'name',
          },
          concurrency: { type: 'string', description: 'bettors identified at once' },
          rate: { type: 'string', description: 'requests per hour' },
          watch: {
            type: 'boolean',
            default: true,
            description: 'watch the progress until it ends',
            negativeDescription: 'return once started',
          },
          ...ACTOR,
          ...JSON_FLAG,
        },
        run: async ({ args }) => {
          const csv = str(args, 'csv');
          if (csv && str(args, 'table')) throw new UsageError('--csv and --table: give one of them');
          const concurrency = positiveInt(args, 'concurrency');
          const requestsPerHour = positiveInt(args, 'rate');
          return withMigrations(async (migrations) => {
            const source = csv
              ? { kind: 'csv' as const, path: csv }
              : { kind: 'table' as const, table: str(args, 'table') ?? 'migration_bettors' };
            const handle = await migrations.startMigration({
              migrationId: str(args, 'id')!,
              source,
              requestedBy: str(args, 'actor') ?? userInfo().username,
              ...(concurrency ? { concurrency } : {}),
              ...(requestsPerHour ? { requestsPerHour } : {}),
            });
            console.log(
              args.json
                ? JSON.stringify({ workflowId: handle.workflowId, joined: handle.joined })
                : `${handle.joined ? 'joined' : 'started'} ${handle.workflowId}`,
            );
            if (args.watch !== false) await watch(handle, Boolean(args.json));
            return 0;
          });
        },
      }),
      watch: leaf({
        name: 'watch',
        description: 'watch a migration until it ends',
        args: { id: ID, ...JSON_FLAG },
        run: async ({ args }) =>
          withMigrations(async (migrations) => {
            await watch(migrations.migration(str(args, 'id')!), Boolean(args.json));
            return 0;
          }),
      }),
      pause: steer('pause', 'pause a migration (the bettors under way finish)'),
      resume: steer('resume', 'resume a paused migration'),
      cancel: steer('cancel', 'cancel a migration'),
    },
  }),
);
