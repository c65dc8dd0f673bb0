import { workflowId as workflowIdOf, WorkflowProcess } from '../../domain/ids.js';
import type { MigrationProgress } from '../../domain/migration.js';
import { UsageError } from '../../client/cli-commands.js';
import type { ApiConnection } from '../bookmaker-api.js';
import { group, JSON_FLAG, leaf, registerCommand, str, type LeafContext } from '../registry.js';

/**
 * The bulk migration of bettors from the bookmaker's old records: start, watch, pause, resume, cancel. Every
 * command is a call of the bookmaker API (api/routes/migrations.ts) with ESU_BRIDGE_API_URL and ESU_BRIDGE_API_KEY
 * (cli/bookmaker-api.ts): the API journals the key's name as who started or steered the migration, so the CLI has
 * no way to name someone else. The bettors come from a table of the bridge database; a CSV is refused (load it into
 * a table first), since the API does not read files off the worker's disk.
 */
const FINAL = new Set(['COMPLETED', 'CANCELLED']);
const ID = { type: 'positional', description: 'the migration id', valueHint: 'migrationId' } as const;
const DEFAULT_TABLE = 'migration_bettors';

const path = (migrationId: string) => `/v1/migrations/${encodeURIComponent(migrationId)}`;

async function connect(): Promise<{
  conn: ApiConnection;
  call: typeof import('../bookmaker-api.js').apiCall;
}> {
  const { apiCall, apiConnection } = await import('../bookmaker-api.js');
  return { conn: apiConnection(), call: apiCall };
}

async function watch(migrationId: string, json: boolean): Promise<MigrationProgress> {
  const { conn, call } = await connect();
  const { progressLine } = await import('../../client/migration-progress.js');
  const tty = process.stdout.isTTY && !json;
  let last = '';
  for (;;) {
    const p = (await call<MigrationProgress>(conn, 'GET', path(migrationId))).data;
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

const steer = (command: 'pause' | 'resume' | 'cancel', description: string) =>
  leaf({
    name: command,
    description,
    args: { id: ID, ...JSON_FLAG },
    run: async ({ args }) => {
      const { conn, call } = await connect();
      const { progressLine } = await import('../../client/migration-progress.js');
      const p = (await call<MigrationProgress>(conn, 'POST', `${path(str(args, 'id')!)}/${command}`)).data;
      console.log(args.json ? JSON.stringify(p) : progressLine(p, Date.now()));
      return 0;
    },
  });

registerCommand(
  'migration',
  group({
    name: 'migration',
    description:
      "the bulk migration of the bookmaker's bettors through the bookmaker API (ESU_BRIDGE_API_URL, ESU_BRIDGE_API_KEY): start, watch, pause, resume, cancel",
    subCommands: {
      start: leaf({
        name: 'start',
        description: 'start a migration (again with the same id joins it) and watch it to the end unless --no-watch',
        args: {
          id: ID,
          csv: {
            type: 'string',
            description: 'refused: load the CSV into a table of the bridge database and give --table',
            valueHint: 'file',
          },
          table: {
            type: 'string',
            description: `a table of the bridge database (default ${DEFAULT_TABLE})`,
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
          ...JSON_FLAG,
        },
        run: async ({ args }) => {
          if (str(args, 'csv') !== undefined)
            throw new UsageError(
              '--csv is not taken: the migration runs through the bookmaker API, which reads no files. Load the rows into a table of the bridge database (the columns of migration_bettors) and give --table <name>',
            );
          const concurrency = positiveInt(args, 'concurrency');
          const requestsPerHour = positiveInt(args, 'rate');
          const migrationId = str(args, 'id')!;
          const { conn, call } = await connect();
          const started = await call<MigrationProgress>(conn, 'POST', '/v1/migrations', {
            idempotencyKey: migrationId,
            body: {
              migrationId,
              source: { kind: 'table', table: str(args, 'table') ?? DEFAULT_TABLE },
              ...(concurrency ? { concurrency } : {}),
              ...(requestsPerHour ? { requestsPerHour } : {}),
            },
          });
          const workflowId = workflowIdOf(WorkflowProcess.Migration, migrationId);
          const joined = started.headers['idempotent-replayed'] === 'true';
          console.log(
            args.json ? JSON.stringify({ workflowId, joined }) : `${joined ? 'joined' : 'started'} ${workflowId}`,
          );
          if (args.watch !== false) await watch(migrationId, Boolean(args.json));
          return 0;
        },
      }),
      watch: leaf({
        name: 'watch',
        description: 'watch a migration until it ends',
        args: { id: ID, ...JSON_FLAG },
        run: async ({ args }) => {
          await watch(str(args, 'id')!, Boolean(args.json));
          return 0;
        },
      }),
      pause: steer('pause', 'pause a migration (the bettors under way finish)'),
      resume: steer('resume', 'resume a paused migration'),
      cancel: steer('cancel', 'cancel a migration'),
    },
  }),
);
