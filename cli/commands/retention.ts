import { z } from 'zod';
import { UsageError } from '../../client/cli-commands.js';
import { JSON_FLAG, leaf, registerCommand, str } from '../registry.js';

/**
 * `esu-bridge retention [--dry-run] [--as-of ISO-TIME] [--batch N] [--json]`: the retention job (store/retention.ts)
 * against DATABASE_URL, once. `--dry-run` counts what would go, per table, and changes nothing (it may look at a
 * future --as-of); a real run journals its counts. `esu-bridge retention schedule` creates the daily Temporal
 * Schedule (idempotent; TEMPORAL_* variables). Exit 0: done; 1: PostgreSQL or Temporal failed; 2: usage or
 * configuration wrong, or a real run dated after the database's clock.
 */
const Options = z.object({
  'dry-run': z.boolean().default(false),
  'as-of': z.iso
    .datetime({ offset: true, message: 'an ISO 8601 time with its offset, e.g. 2032-01-01T00:00:00+05:00' })
    .optional(),
  batch: z.coerce.number().int().min(1).max(100_000).default(500),
  json: z.boolean().default(false),
});

registerCommand(
  'retention',
  leaf({
    name: 'retention',
    description:
      'remove or anonymise what is past its retention period, once (journalled); `retention schedule` creates the daily Schedule',
    args: {
      action: {
        type: 'positional',
        description: 'schedule: create the daily Temporal Schedule instead (03:00 Asia/Almaty)',
        required: false,
      },
      'dry-run': { type: 'boolean', description: 'count what would go, per table; change nothing' },
      'as-of': { type: 'string', description: 'as of this time (ISO 8601 with its offset); default now' },
      batch: { type: 'string', description: 'rows per batch (default 500)' },
      ...JSON_FLAG,
    },
    run: async ({ args }) => {
      const action = str(args, 'action');
      if (action !== undefined && action !== 'schedule')
        throw new UsageError(`retention: unknown action "${action}" (only: schedule)`);
      const parsed = Options.safeParse({
        'dry-run': args['dry-run'] ?? false,
        'as-of': str(args, 'as-of'),
        batch: str(args, 'batch'),
        json: args.json ?? false,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new UsageError(`retention: --${issue.path.join('.')}: ${issue.message}`);
      }
      const options = parsed.data;
      if (action === 'schedule') {
        const { connectClient } = await import('../../client/connect.js');
        const { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } = await import('../../client/retention-schedule.js');
        const { client, connection, taskQueue } = await connectClient();
        try {
          const outcome = await ensureRetentionSchedule(client, taskQueue);
          if (options.json) console.log(JSON.stringify({ scheduleId: RETENTION_SCHEDULE_ID, outcome }));
          else
            console.log(
              `${RETENTION_SCHEDULE_ID}: ${outcome === 'CREATED' ? 'created (daily 03:00 Asia/Almaty)' : 'already exists, left as it is'}`,
            );
          return 0;
        } finally {
          await connection.close();
        }
      }
      const { loadConfig } = await import('../../config/index.js');
      const { applyRetention, RetentionClockAhead } = await import('../../store/retention.js');
      const { safeMessage, withCommandPool } = await import('../../db/pool.js');
      return withCommandPool(
        'retention',
        () => loadConfig(process.env, ['database']).database.url,
        async (pool) => {
          try {
            const report = await applyRetention(pool, {
              asOf: options['as-of'] ? new Date(options['as-of']) : new Date(),
              dryRun: options['dry-run'],
              batchSize: options.batch,
              actor: 'retention-cli',
            });
            if (options.json) console.log(JSON.stringify(report));
            else {
              console.log(
                `retention as of ${report.asOf}${report.dryRun ? ' (dry run: nothing changed)' : `, journal entry ${report.journalEntryId}`}`,
              );
              for (const t of report.tables)
                console.log(
                  `  ${t.table.padEnd(24)} ${(report.dryRun ? `would ${t.action.toLowerCase()}` : t.action === 'REMOVE' ? 'removed' : 'anonymised').padEnd(16)} ${t.rows}`,
                );
            }
            return 0;
          } catch (err) {
            console.error(`retention: ${err instanceof RetentionClockAhead ? err.message : safeMessage(err)}`);
            return err instanceof RetentionClockAhead ? 2 : 1;
          }
        },
      );
    },
  }),
);
