import { parseArgs } from 'node:util';
import { z } from 'zod';
import { databaseUrl } from '../config/index.js';
import { applyRetention, RetentionClockAhead } from './retention.js';
import { createPool, safeMessage } from './pool.js';

/**
 * `npm run retention -- [--dry-run] [--as-of ISO-TIME] [--batch N] [--json]`: the retention job (db/retention.ts)
 * against DATABASE_URL, once. `--dry-run` counts what would go, per table, and changes nothing (it may look at a
 * future --as-of); a real run journals its counts. `npm run retention -- schedule` creates the daily Temporal
 * Schedule (idempotent; TEMPORAL_* variables). Exit 0: done; 1: PostgreSQL or Temporal failed; 2: usage or
 * configuration wrong, or a real run dated after the database's clock.
 */
const Options = z.object({
  'dry-run': z.boolean().default(false),
  'as-of': z.iso.datetime({ offset: true, message: 'an ISO 8601 time with its offset, e.g. 2032-01-01T00:00:00+05:00' }).optional(),
  batch: z.coerce.number().int().min(1).max(100_000).default(500),
  json: z.boolean().default(false),
});

async function main(argv: string[]): Promise<number> {
  let options: z.infer<typeof Options>;
  let url: string;
  const schedule = argv[0] === 'schedule';
  try {
    const { values } = parseArgs({
      args: schedule ? argv.slice(1) : argv,
      options: { 'dry-run': { type: 'boolean' }, 'as-of': { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const parsed = Options.safeParse(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`--${issue.path.join('.')}: ${issue.message}`);
    }
    options = parsed.data;
    url = schedule ? '' : databaseUrl();
  } catch (err) {
    console.error(`retention: ${(err as Error).message}`);
    return 2;
  }
  if (schedule) {
    const { connectClient } = await import('../client/connect.js');
    const { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } = await import('../client/retention-schedule.js');
    const { client, connection, taskQueue } = await connectClient();
    try {
      const outcome = await ensureRetentionSchedule(client, taskQueue);
      console.log(`${RETENTION_SCHEDULE_ID}: ${outcome === 'CREATED' ? 'created (daily 03:00 Asia/Almaty)' : 'already exists, left as it is'}`);
      return 0;
    } finally {
      await connection.close();
    }
  }
  const pool = createPool(url, 1, (line) => console.error(JSON.stringify(line)));
  try {
    const report = await applyRetention(pool, { asOf: options['as-of'] ? new Date(options['as-of']) : new Date(), dryRun: options['dry-run'], batchSize: options.batch, actor: 'retention-cli' });
    if (options.json) console.log(JSON.stringify(report));
    else {
      console.log(`retention as of ${report.asOf}${report.dryRun ? ' (dry run: nothing changed)' : `, journal entry ${report.journalEntryId}`}`);
      for (const t of report.tables) console.log(`  ${t.table.padEnd(24)} ${(report.dryRun ? `would ${t.action.toLowerCase()}` : t.action === 'REMOVE' ? 'removed' : 'anonymised').padEnd(16)} ${t.rows}`);
    }
    return 0;
  } catch (err) {
    console.error(`retention: ${err instanceof RetentionClockAhead ? err.message : safeMessage(err)}`);
    return err instanceof RetentionClockAhead ? 2 : 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
