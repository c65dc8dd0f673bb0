import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention, RetentionClockAhead, type RetentionReport } from '../../store/retention.js';
import { migrate, migrationFiles } from '../../db/migrate.js';
import type { Pool } from '../../db/pool.js';
import { verifyJournal } from '../../console/journal-chain.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../client/retention-schedule.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { newBettorRef } from '../support/ledger.js';
import { eventually, startFileStack } from '../support/stack.js';
import { databaseUrlOf, useOwnDatabases } from '../support/databases.js';
import { runTsx } from '../support/processes.js';
import { expectDailyAlmatySchedule } from '../support/schedules.js';

/**
 * Retention for every record (AFM order No. 9, item 4(7)) on databases of this file's own: retain_until computed by
 * the database and backfilled, the boundary at 1 January 00:00 Almaty, the guards, the job (dry run, batches,
 * journal), and the daily Schedule on the real dev server.
 */
const suffix = Date.now().toString(36);
const databases = {
  main: `retention_${suffix}`,
  backfill: `retention_backfill_${suffix}`,
  job: `retention_job_${suffix}`,
};
let pool: Pool;
const { poolOf } = useOwnDatabases(Object.values(databases), { poolSize: 4 });

const cli = (args: string[], database: string) =>
  runTsx('db/retention-main.ts', args, { DATABASE_URL: databaseUrlOf(database) });

async function bet(bettorRef: string, placedAt: string, iin = adultIin()): Promise<string> {
  const betId = uniqueId('bet');
  await pool.query(
    `INSERT INTO bets (bet_id, workflow_id, bettor_ref, iin, event_id, outcome, odds, stake_tiyn, placed_at) VALUES ($1, $2, $3, $4, 'evt', 'HOME', '2.10', 1500, $5)`,
    [betId, `Bet:${betId}`, bettorRef, iin, placedAt],
  );
  return betId;
}

async function personalData(bettorRef: string, receivedAt: string): Promise<string> {
  const bettorId = uniqueId('bettor');
  await pool.query(
    `INSERT INTO bettor_personal_data (bettor_id, bettor_ref, source, data, received_at) VALUES ($1, $2, 'TWO_FACTOR', '{"surname":"Ахметова"}', $3)`,
    [bettorId, bettorRef, receivedAt],
  );
  return bettorId;
}

async function operation(bettorRef: string, at: string): Promise<string> {
  const id = uniqueId('op');
  await pool.query(
    `INSERT INTO operations (operation_id, kind, workflow_id, bettor_ref, amount_tiyn, status, failure_type, failure_message, created_at, updated_at)
     VALUES ($1, 'DEPOSIT', $2, $3, 5000, 'REFUSED', 'NomapayRejected', 'refused for the bettor Ахметова', $4, $4)`,
    [id, `Deposit:${id}`, bettorRef, at],
  );
  return id;
}

const count = (r: RetentionReport, table: string) => r.tables.find((t) => t.table === table)!.rows;

beforeAll(async () => {
  pool = poolOf(databases.main);
  await migrate(pool);
});

describe('retain_until, computed by the database', () => {
  it('gives every regulated table one', async () => {
    const { rows } = await pool.query(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'retain_until' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'bets',
      'bettor_identifications',
      'bettor_personal_data',
      'incidents',
      'journal',
      'ledger_pending_transfers',
      'ledger_tombstones',
      'ledger_transfers',
      'migration_bettors',
      'migration_items',
      'operation_registry',
      'operations',
      'reconciliation_differences',
      'reconciliation_listed_records',
      'reconciliation_runs',
      'reference_photos',
      'submissions',
    ]);
  });

  it('keeps a bet of 2026-12-31 23:30 Almaty until 2032-01-01 00:00 Almaty, and one of 1 January a year longer', async () => {
    const late = await bet(newBettorRef(), '2026-12-31T23:30:00+05:00');
    const early = await bet(newBettorRef(), '2027-01-01T00:00:00+05:00');
    const { rows } = await pool.query(`SELECT bet_id, retain_until FROM bets WHERE bet_id = ANY ($1)`, [[late, early]]);
    const by = Object.fromEntries(rows.map((r) => [r.bet_id, (r.retain_until as Date).toISOString()]));
    expect(by[late]).toBe('2031-12-31T19:00:00.000Z'); // 2032-01-01 00:00 at UTC+5
    expect(by[early]).toBe('2032-12-31T19:00:00.000Z');
    // A bet settled in the next year counts from its settlement.
    await pool.query(
      `UPDATE bets SET status = 'SETTLED', esu_receipt_id = 'r', result = 'LOST', settled_at = '2027-01-02T10:00:00+05:00' WHERE bet_id = $1`,
      [late],
    );
    expect(
      (
        (await pool.query(`SELECT retain_until FROM bets WHERE bet_id = $1`, [late])).rows[0].retain_until as Date
      ).toISOString(),
    ).toBe('2032-12-31T19:00:00.000Z');
  });

  it('backfills the rows written before migration 013, and the journal chain still verifies', async () => {
    const before = poolOf(databases.backfill);
    const files = await migrationFiles();
    await migrate(
      before,
      () => undefined,
      files.filter((f) => f < '013'),
    );
    await before.query(
      `INSERT INTO bets (bet_id, workflow_id, bettor_ref, iin, event_id, outcome, odds, stake_tiyn, placed_at) VALUES ('b-old', 'Bet:b-old', 'r', $1, 'e', 'HOME', '1.5', 100, '2026-12-31T23:30:00+05:00')`,
      [adultIin()],
    );
    await before.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES ('2024-06-01T12:00:00Z', '2024-06-01T12:00:01Z', 'OLD', 't', 'r', 'OK')`,
    );
    await before.query(
      `INSERT INTO operation_registry (operation_id, kind, workflow_id, registered_at) VALUES ('op-old', 'DEPOSIT', 'Deposit:op-old', '2025-12-31T20:00:00Z')`,
    );
    expect(await migrate(before)).toEqual(files.filter((f) => f >= '013'));
    const row = async (sql: string) => ((await before.query(sql)).rows[0].retain_until as Date).toISOString();
    expect(await row(`SELECT retain_until FROM bets WHERE bet_id = 'b-old'`)).toBe('2031-12-31T19:00:00.000Z');
    expect(await row(`SELECT retain_until FROM journal WHERE event = 'OLD'`)).toBe('2029-12-31T19:00:00.000Z');
    // 20:00 UTC on 31 December 2025 is already 1 January 2026 in Almaty.
    expect(await row(`SELECT retain_until FROM operation_registry WHERE operation_id = 'op-old'`)).toBe(
      '2031-12-31T19:00:00.000Z',
    );
    expect((await verifyJournal(before)).ok).toBe(true);
  });
});

describe('the guards', () => {
  it('refuse deleting a record before its retain_until, and personal data while the bettor has a retained bet', async () => {
    const bettorRef = newBettorRef();
    const recent = await bet(bettorRef, '2026-06-01T12:00:00+05:00');
    await expect(pool.query(`DELETE FROM bets WHERE bet_id = $1`, [recent])).rejects.toThrow(
      /bets row is retained until .*DELETE refused/,
    );
    await expect(pool.query(`TRUNCATE bets`)).rejects.toThrow(/TRUNCATE refused/);
    // Its own date is long past, but the bettor's bet of 2026 is still retained.
    const old = await personalData(bettorRef, '2019-03-01T12:00:00+05:00');
    await expect(pool.query(`DELETE FROM bettor_personal_data WHERE bettor_id = $1`, [old])).rejects.toThrow(
      /retained while the bettor's bets and operations are/,
    );
    // The journal and the ledger still refuse any deletion.
    await pool.query(
      `INSERT INTO journal (started_at, ended_at, event, actor, record_id, result) VALUES ('2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z', 'OLD', 't', 'r', 'OK')`,
    );
    await expect(pool.query(`DELETE FROM journal WHERE event = 'OLD'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE ledger_transfers CASCADE`)).rejects.toThrow(/append-only/);
    // Past its retain_until, a row may go.
    const gone = await bet(newBettorRef(), '2019-05-05T10:00:00+05:00');
    expect((await pool.query(`DELETE FROM bets WHERE bet_id = $1`, [gone])).rowCount).toBe(1);
  });
});

describe('the retention job', () => {
  // A database of its own, so that the counts are this describe's rows only.
  beforeAll(async () => {
    pool = poolOf(databases.job);
    await migrate(pool);
  });

  it('at the boundary: a record of 2026-12-31 23:30 Almaty is kept until 2032-01-01 00:00 Almaty and goes at it (dry run)', async () => {
    const bettorRef = newBettorRef();
    const betId = await bet(bettorRef, '2026-12-31T23:30:00+05:00');
    await personalData(bettorRef, '2026-12-31T23:30:00+05:00');
    await operation(bettorRef, '2026-12-31T23:30:00+05:00');
    const only = async (asOf: string) => {
      const r = await applyRetention(pool, { asOf: new Date(asOf), dryRun: true });
      const mine = await pool.query(
        `SELECT count(*) FILTER (WHERE retain_until <= $1)::int AS n FROM bets WHERE bet_id = $2`,
        [asOf, betId],
      );
      return { report: r, mine: mine.rows[0].n as number };
    };
    const justBefore = await only('2031-12-31T23:59:59.999+05:00');
    expect(justBefore.mine).toBe(0);
    expect(justBefore.report.tables.every((t) => t.rows === 0)).toBe(true);
    const at = await only('2032-01-01T00:00:00+05:00');
    expect(at.mine).toBe(1);
    expect(at.report.tables.filter((t) => t.rows > 0)).toEqual([
      { table: 'bets', action: 'ANONYMISE', rows: 1 },
      { table: 'operations', action: 'ANONYMISE', rows: 1 },
      { table: 'bettor_personal_data', action: 'REMOVE', rows: 1 },
    ]);
    expect(at.report.dryRun).toBe(true);
    expect(at.report.journalEntryId).toBeUndefined();
    // A dry run changed nothing.
    expect((await pool.query(`SELECT iin FROM bets WHERE bet_id = $1`, [betId])).rows[0].iin).not.toBe('000000000000');
  });

  it('refuses a real run dated after the database clock: the guards could not honour it', async () => {
    await expect(applyRetention(pool, { asOf: new Date('2032-01-01T00:00:00+05:00') })).rejects.toThrow(
      RetentionClockAhead,
    );
  });

  it('anonymises bets and operations, removes personal data past retention, in batches, journalled without personal data; keeps the rest', async () => {
    const oldRef = newBettorRef();
    const oldIin = adultIin();
    const oldBets = [
      await bet(oldRef, '2020-12-31 23:30 Asia/Almaty', oldIin),
      await bet(oldRef, '2020-03-01T09:00:00+05:00', oldIin),
    ];
    const oldData = await personalData(oldRef, '2020-12-31 23:30 Asia/Almaty');
    const oldOp = await operation(oldRef, '2020-07-01T12:00:00+05:00');
    await pool.query(
      `INSERT INTO reference_photos (photo_ref, image, quality, created_at) VALUES ('ph-old', '\\x0102'::bytea, '{}', '2020-02-02T00:00:00Z'), ('ph-new', '\\x0304'::bytea, '{}', now())`,
    );
    // Past their own retain_until (written by their workflows): an incident of 2020 and an AFM submission naming the IIN.
    await pool.query(
      `INSERT INTO incidents (incident_id, workflow_id, name, status, origin, detected_at, detected_at_text, due_at, opened_at, opened_by, version, revision, state, retain_until)
       VALUES ('inc-old', 'Incident:inc-old', 'ESU unreachable', 'CLOSED', 'OPS', '2020-05-01Z', '2020-05-01', '2020-05-03Z', '2020-05-01Z', 'ops', 1, 1, '{}', '2025-05-01Z'),
              ('inc-new', 'Incident:inc-new', 'ESU unreachable', 'OPEN', 'OPS', now(), 'today', now(), now(), 'ops', 1, 1, '{}', now() + interval '5 years')`,
    );
    await pool.query(
      `INSERT INTO submissions (submission_id, workflow_id, counterpart, operation_id, operation_kind, bettor_ref, attempt, original_submission_id, status, payload, revision, retain_until)
       VALUES ('sub-old', 'Submission:sub-old', 'AFM', $1, 'DEPOSIT', $2, 1, 'sub-old', 'ACCEPTED', $3, 1, '2026-01-01 00:00 Asia/Almaty')`,
      [
        oldOp,
        oldRef,
        JSON.stringify({ record: { iin: oldIin, receivedAt: '2020-07-01T07:00:00Z', receivedTiyn: 5000 } }),
      ],
    );
    // A bettor whose own data is old but who bet this year: everything kept.
    const activeRef = newBettorRef();
    const activeData = await personalData(activeRef, '2019-01-15T12:00:00+05:00');
    const activeBet = await bet(activeRef, '2026-11-30T12:00:00+05:00');
    // A bet of 1 January 2021 00:00 Almaty is retained until 2027-01-01: still kept. (Almaty was UTC+6 until
    // March 2024: the zone's own history counts, not a fixed offset.)
    const keptBet = await bet(newBettorRef(), '2021-01-01 00:00 Asia/Almaty');

    const asOf = new Date();
    const dry = await applyRetention(pool, { asOf, dryRun: true });
    const real = await applyRetention(pool, { asOf, batchSize: 1, actor: 'retention-test' });
    expect(real.tables).toEqual(dry.tables.map((t) => ({ ...t })));
    expect(real.tables.filter((t) => t.rows > 0)).toEqual([
      { table: 'bets', action: 'ANONYMISE', rows: 2 },
      { table: 'operations', action: 'ANONYMISE', rows: 1 },
      { table: 'submissions', action: 'REMOVE', rows: 1 },
      { table: 'incidents', action: 'REMOVE', rows: 1 },
      { table: 'bettor_personal_data', action: 'REMOVE', rows: 1 },
      { table: 'reference_photos', action: 'REMOVE', rows: 1 },
    ]);
    expect((await pool.query(`SELECT incident_id FROM incidents ORDER BY 1`)).rows.map((r) => r.incident_id)).toEqual([
      'inc-new',
    ]);
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM submissions WHERE submission_id = 'sub-old'`)).rows[0].n,
    ).toBe(0);

    const bets = await pool.query(`SELECT bet_id, iin, stake_tiyn FROM bets WHERE bet_id = ANY ($1) ORDER BY bet_id`, [
      [...oldBets, activeBet, keptBet],
    ]);
    const iinOf = Object.fromEntries(bets.rows.map((r) => [r.bet_id, r.iin]));
    for (const b of oldBets) expect(iinOf[b]).toBe('000000000000');
    expect(iinOf[activeBet]).not.toBe('000000000000');
    expect(iinOf[keptBet]).not.toBe('000000000000');
    expect(bets.rows.every((r) => r.stake_tiyn === 1500)).toBe(true);
    const ops = await pool.query(
      `SELECT failure_message, amount_tiyn, status FROM operations WHERE operation_id = $1`,
      [oldOp],
    );
    expect(ops.rows[0]).toEqual({ failure_message: null, amount_tiyn: 5000, status: 'REFUSED' });
    const data = await pool.query(`SELECT bettor_id FROM bettor_personal_data WHERE bettor_id = ANY ($1)`, [
      [oldData, activeData],
    ]);
    expect(data.rows.map((r) => r.bettor_id)).toEqual([activeData]);
    expect(
      (await pool.query(`SELECT photo_ref FROM reference_photos ORDER BY 1`)).rows.map((r) => r.photo_ref),
    ).toEqual(['ph-new']);

    const entry = (
      await pool.query(`SELECT event, actor, record_id, details FROM journal WHERE id = $1`, [real.journalEntryId])
    ).rows[0];
    expect(entry).toMatchObject({
      event: 'RETENTION_APPLIED',
      actor: 'retention-test',
      record_id: `retention:${asOf.toISOString()}`,
    });
    expect(entry.details.tables.bets).toEqual({ anonymised: count(real, 'bets') });
    expect(entry.details.tables.bettor_personal_data).toEqual({ removed: count(real, 'bettor_personal_data') });
    const text = JSON.stringify(entry);
    expect(text).not.toContain(oldIin);
    expect(text).not.toContain(oldRef);
    expect(text).not.toContain('Ахметова');
    expect((await verifyJournal(pool)).ok).toBe(true);

    // Nothing is left to do: a second run changes nothing and says so.
    const again = await applyRetention(pool, { asOf });
    expect(again.tables.every((t) => t.rows === 0)).toBe(true);
  });
});

describe('npm run retention', () => {
  it('reports a dry run per table (exit 0), names a wrong option (exit 2), and refuses a real run ahead of the clock (exit 2)', async () => {
    const dry = await cli(['--dry-run', '--as-of', '2032-01-01T00:00:00+05:00', '--json'], databases.job);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as RetentionReport;
    expect(report).toMatchObject({ asOf: '2031-12-31T19:00:00.000Z', dryRun: true });
    expect(report.tables.map((t) => t.table)).toContain('bettor_personal_data');
    expect(count(report, 'bets')).toBeGreaterThanOrEqual(1); // the boundary bet of 2026-12-31 23:30 Almaty
    const wrong = await cli(['--as-of', 'next tuesday'], databases.job);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--as-of: an ISO 8601 time with its offset');
    const ahead = await cli(['--as-of', '2032-01-01T00:00:00+05:00'], databases.job);
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toContain("is after the database's clock");
  });
});

describe('the daily Schedule', () => {
  let stack: Awaited<ReturnType<typeof startFileStack>>;
  beforeAll(async () => {
    stack = await startFileStack();
  });
  afterAll(async () => {
    await stack?.client.schedule
      .getHandle(RETENTION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await stack?.stop();
  });

  it('is created once (a second call leaves it), at 03:00 Almaty, and its run is journalled', async () => {
    const taskQueue = stack.env.TEMPORAL_TASK_QUEUE!;
    await stack.client.schedule
      .getHandle(RETENTION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    const handle = stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    await expectDailyAlmatySchedule(handle, () => ensureRetentionSchedule(stack.client, taskQueue), {
      hour: 3,
      workflowType: 'retention',
      taskQueue,
    });

    const since = new Date();
    await handle.trigger();
    const entry = await eventually(async () => {
      const { rows } = await stack.pool.query(
        `SELECT details FROM journal WHERE event = 'RETENTION_APPLIED' AND actor = 'retention-schedule' AND started_at >= $1`,
        [since],
      );
      return rows[0];
    }, 60_000);
    expect(Object.keys(entry.details.tables)).toContain('bettor_personal_data');
  });
});
