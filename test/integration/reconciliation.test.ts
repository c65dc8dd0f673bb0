import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReconciliationDay, reconciliationCommand, startReconciliation } from '../../client/reconciliation.js';
import { ensureReconciliationSchedule, RECONCILIATION_SCHEDULE_ID } from '../../client/reconciliation-schedule.js';
import { databaseUrlOf, useOwnDatabases } from '../support/databases.js';
import { firstSubmissionId } from '../../domain/submission.js';
import { almatyDay } from '../../domain/wire/listings.js';
import { recordHistory } from '../support/histories.js';
import { expectDailyAlmatySchedule } from '../support/schedules.js';
import { collectBusinessFigures, renderBusinessMetrics } from '../../workers/business-metrics.js';
import { launchChromium, SHOTS, signInOnPage } from '../support/browser.js';
import { signIn, startTestConsole } from '../support/console.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { eventually, startFileStack } from '../support/stack.js';

/**
 * The daily reconciliation over the real stack: real deposits through ESU, Nomapay and AFM, then each kind of
 * difference injected through the simulators' admin routes (and the ledger tampered with in PostgreSQL) and seen
 * classified; a clean day reports none; an officer resolves one in the console and the journal has it. A database
 * of this file's own: other files share the integration database and their operations of the day are not at
 * this file's simulators. The screenshot goes to docs/screenshots only with SCREENSHOTS=docs.
 */
const database = `recon_${Date.now().toString(36)}`;
useOwnDatabases([database], { poolSize: 1, migrated: true });
let stack: Awaited<ReturnType<typeof startFileStack>>;
let consoleRunning: Awaited<ReturnType<typeof startTestConsole>>;
const submissionWorkflows: string[] = [];
const day = almatyDay(Date.now());
/** A deposit's AFM submission goes by its Nomapay/ESU id: afm-dep-<depositId>. */
const afmId = (depositId: string) => firstSubmissionId('AFM', `dep-${depositId}`);

beforeAll(async () => {
  stack = await startFileStack({ DATABASE_URL: databaseUrlOf(database), MAINTENANCE_WINDOWS: 'off' });
  consoleRunning = await startTestConsole(stack);
});

afterAll(async () => {
  await stack?.endWorkflows(submissionWorkflows.map((id) => `Submission:${id}`));
  await consoleRunning?.close();
  await stack?.stop();
});

/** Deposits that went through ESU, Nomapay and AFM (its receipt back), by id. */
async function deposits(n: number, amountTiyn = 125_000): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uniqueId('rdep'));
  await Promise.all(
    ids.map(async (depositId) => {
      const done = await stack.esuBridge.deposit({ depositId, iin: adultIin(), amountTiyn, currency: 'KZT' });
      expect(done.status).toBe('COMPLETED');
      submissionWorkflows.push(afmId(depositId));
    }),
  );
  await eventually(async () => {
    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS n FROM submissions WHERE submission_id = ANY($1::text[]) AND status = 'ACKNOWLEDGED'`,
      [ids.map(afmId)],
    );
    return rows[0].n === n;
  }, 30_000);
  return ids;
}

async function adminCall(baseUrl: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(new URL(`/__admin/listing/${route}`, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${route} ${JSON.stringify(body)}: ${await res.clone().text()}`).toBeLessThan(300);
}

const reconcile = async () =>
  (await startReconciliation(stack.client, stack.env.TEMPORAL_TASK_QUEUE!, day, { graceMinutes: 0 })).result();
const openDifferences = async () =>
  (
    await stack.pool.query(
      `SELECT counterpart, kind, record_id FROM reconciliation_differences WHERE day = $1 AND status = 'OPEN' ORDER BY counterpart, kind, record_id`,
      [day],
    )
  ).rows.map((r) => `${r.counterpart} ${r.kind} ${r.record_id}`);

describe('daily reconciliation against ESU, Nomapay and AFM', () => {
  it('a clean day reports no difference', async () => {
    await deposits(1);
    const result = await reconcile();
    expect(result).toMatchObject({
      day,
      status: 'CLEAN',
      differences: 0,
      summary: `${day}: no difference — our records, the ledger, ESU, Nomapay and AFM agree`,
    });
    expect(result.byCounterpart.ESU).toMatchObject({ listed: 1, ours: 1, matched: 1, differences: 0 });
    expect(result.byCounterpart.NOMAPAY).toMatchObject({ listed: 1, ours: 1, matched: 1, differences: 0 });
    expect(result.byCounterpart.AFM).toMatchObject({ listed: 1, ours: 1, matched: 1, differences: 0 });
    expect(result.byCounterpart.LEDGER).toMatchObject({ differences: 0 });
    expect(await openDifferences()).toEqual([]);
    const { rows } = await stack.pool.query(`SELECT status, differences FROM reconciliation_runs WHERE run_id = $1`, [
      result.runId,
    ]);
    expect(rows[0]).toEqual({ status: 'CLEAN', differences: 0 });
    // The run's history, exported as ops would, for test/replay (RECORD_HISTORIES=1 writes it).
    await recordHistory('reconciliation-clean', {
      env: stack.env,
      workflowId: `Reconciliation:${day}`,
      runId: result.runId,
    });
  });

  it('classifies each kind of difference injected at the counterparts and in the ledger', async () => {
    // Three deposits, each made to differ at one or more counterparts.
    const [gone, amount, twice] = await deposits(3);
    const { esu, nomapay, afm } = stack.simulators;
    await adminCall(esu.url, 'drop', { id: `dep-${gone}` });
    await adminCall(nomapay.url, 'alter', { id: `dep-${gone}`, status: 'REFUNDED' });
    await adminCall(afm.url, 'drop', { id: afmId(gone!) });
    await adminCall(esu.url, 'alter', { id: `dep-${amount}`, amountTiyn: 124_999 });
    await adminCall(afm.url, 'alter', { id: afmId(amount!), amountTiyn: 1 });
    const esuCopy = (await (
      await fetch(new URL(`/v1/operations?date=${day}&limit=1000`, esu.url), {
        headers: { authorization: 'Bearer it-esu-key' },
      })
    ).json()) as { operations: { operationId: string }[] };
    const original = esuCopy.operations.find((o) => o.operationId === `dep-${twice}`)!;
    expect(original).toBeDefined();
    await adminCall(esu.url, 'add', { record: original });
    const stranger = uniqueId('dep-stranger');
    await adminCall(nomapay.url, 'add', {
      record: {
        transferId: stranger,
        direction: 'BETTOR_TO_BOOKMAKER',
        amountTiyn: 70_000,
        status: 'COMPLETED',
        completedAt: new Date().toISOString(),
      },
    });
    // The ledger tampered with outside its postings: an account's sums and a bettor's running totals.
    const bettorAccount: string = (
      await stack.pool.query(
        `SELECT credit_account_id AS id FROM ledger_transfers WHERE operation_id = $1 AND credit_account_id LIKE 'bettor:%'`,
        [gone],
      )
    ).rows[0].id;
    await stack.pool.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1`, [
      bettorAccount,
    ]);
    await stack.pool.query(`UPDATE bettor_totals SET received_tiyn = received_tiyn + 1 WHERE bettor_ref = $1`, [
      bettorAccount.slice('bettor:'.length),
    ]);

    const result = await reconcile();
    expect(await openDifferences()).toEqual(
      [
        `AFM AMOUNT_MISMATCH ${afmId(amount!)}`,
        `AFM MISSING_AT_COUNTERPART ${afmId(gone!)}`,
        `ESU AMOUNT_MISMATCH dep-${amount}`,
        `ESU DUPLICATE dep-${twice}`,
        `ESU MISSING_AT_COUNTERPART dep-${gone}`,
        `LEDGER ACCOUNT_TOTALS ${bettorAccount}`,
        `LEDGER RUNNING_TOTALS bettor_totals`,
        `LEDGER UNBALANCED ledger`,
        `NOMAPAY MISSING_AT_OURS ${stranger}`,
        `NOMAPAY STATUS_MISMATCH dep-${gone}`,
      ].sort(),
    );
    expect(result).toMatchObject({ status: 'DIFFERENCES', differences: 10 });
    expect(result.byCounterpart).toMatchObject({
      ESU: { differences: 3 },
      NOMAPAY: { differences: 2 },
      AFM: { differences: 2 },
      LEDGER: { differences: 3 },
    });
    const mismatch = (
      await stack.pool.query(
        `SELECT ours, theirs, due_at, found_at FROM reconciliation_differences WHERE record_id = $1 AND kind = 'AMOUNT_MISMATCH'`,
        [`dep-${amount}`],
      )
    ).rows[0];
    expect(mismatch.ours).toMatchObject({ amountTiyn: 125_000, status: 'COMPLETED' });
    expect(mismatch.theirs).toMatchObject({ amountTiyn: 124_999, status: 'RECORDED' });
    // Due the next working day: after the day it was found, within a week even over a long holiday.
    expect(mismatch.due_at.getTime()).toBeGreaterThan(mismatch.found_at.getTime() + 3600_000);
    expect(mismatch.due_at.getTime()).toBeLessThan(mismatch.found_at.getTime() + 7 * 24 * 3600_000);

    // The gauge counts them, by counterpart.
    const scrape = await renderBusinessMetrics(await collectBusinessFigures(stack.pool, Date.now()));
    expect(scrape).toContain('esu_bridge_reconciliation_differences_open{counterpart="esu"} 3');
    expect(scrape).toContain('esu_bridge_reconciliation_differences_open{counterpart="ledger"} 3');
    expect(scrape).toContain('esu_bridge_reconciliation_differences_open{counterpart="nomapay"} 2');

    // The ledger put right: the next run of the day resolves what it no longer finds, and keeps the rest open.
    await stack.pool.query(`UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = $1`, [
      bettorAccount,
    ]);
    await stack.pool.query(`UPDATE bettor_totals SET received_tiyn = received_tiyn - 1 WHERE bettor_ref = $1`, [
      bettorAccount.slice('bettor:'.length),
    ]);
    const again = await reconcile();
    expect(again).toMatchObject({ status: 'DIFFERENCES', differences: 7 });
    expect((await openDifferences()).filter((d) => d.startsWith('LEDGER'))).toEqual([]);
    const resolvedByRun = (
      await stack.pool.query(
        `SELECT resolved_by, resolution FROM reconciliation_differences WHERE day = $1 AND counterpart = 'LEDGER'`,
        [day],
      )
    ).rows;
    expect(resolvedByRun).toEqual(
      Array(3).fill({
        resolved_by: 'reconciliation',
        resolution: `no longer found by reconciliation run ${again.runId}`,
      }),
    );
    expect((await openDifferences()).length).toBe(7);
  });

  it('an officer resolves a difference from the console, journalled with the reason; the day exports as CSV and JSON; the CLI reads it', async () => {
    const officer = await signIn(consoleRunning.url, 'aigerim');
    const inbox = await officer.get('/api/inboxes/reconciliation?counterpart=nomapay');
    expect(inbox.status).toBe(200);
    const items = inbox.body.items as { id: string; status: string; dueAt?: string; title: string }[];
    expect(items.map((i) => i.title).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^missing at ours: dep-stranger/),
        expect.stringMatching(/^status mismatch: dep-/),
      ]),
    );
    expect(items.every((i) => i.status === 'OPEN' && i.dueAt)).toBe(true);
    const target = items.find((i) => i.title.startsWith('status mismatch'))!;

    const refused = await officer.post(`/api/reconciliation/${encodeURIComponent(target.id)}/resolve`, {});
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('reason');
    const reason = 'Nomapay refunded by mistake; re-debited under ticket NP-4411';
    const resolved = await officer.post(`/api/reconciliation/${encodeURIComponent(target.id)}/resolve`, { reason });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body).toMatchObject({
      id: target.id,
      status: 'RESOLVED',
      reason: `resolved by aigerim: ${reason}`,
      actions: [],
    });
    const twice = await officer.post(`/api/reconciliation/${encodeURIComponent(target.id)}/resolve`, { reason });
    expect(twice.status).toBe(409);
    const journal = await stack.pool.query(
      `SELECT actor, result, details FROM journal WHERE record_id = $1 AND event = 'console.reconciliation-resolved' ORDER BY chain_seq`,
      [target.id],
    );
    expect(journal.rows.map((r) => [r.actor, r.result, r.details.reason])).toEqual([
      ['aigerim', 'REQUESTED', reason],
      ['aigerim', 'OK', reason],
      ['aigerim', 'REQUESTED', reason],
      ['aigerim', 'REFUSED', reason],
    ]);
    // An auditor reads but cannot resolve.
    const auditor = await signIn(consoleRunning.url, 'saule');
    const other = items.find((i) => i.id !== target.id)!;
    expect(
      (await auditor.post(`/api/reconciliation/${encodeURIComponent(other.id)}/resolve`, { reason: 'not mine to say' }))
        .status,
    ).toBe(403);

    const csv = await auditor.get(`/api/reconciliation-days/${day}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="reconciliation-${day}.csv"`);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^difference_id,day,counterpart,kind,record_id/);
    expect(lines.length - 1).toBe(10);
    expect(lines.find((l) => l.startsWith(target.id))).toContain(`RESOLVED`);
    const json = await auditor.get(`/api/reconciliation-days/${day}/export?format=json`);
    expect(json.body).toMatchObject({ day, open: 6, runs: 3 });

    const cli = await reconciliationCommand(
      { run: () => Promise.reject(new Error('not asked to run')), show: (d) => readReconciliationDay(stack.pool, d) },
      'show',
      { day },
    );
    expect(cli.exitCode).toBe(8);
    expect(cli.text.split('\n')[0]).toBe(`${day}: 10 difference(s), 6 open`);
    expect(cli.text).toContain(`resolved: ${reason}`);
    const bad = await reconciliationCommand(
      { run: async () => undefined, show: (d) => readReconciliationDay(stack.pool, d) },
      'show',
      { day: '2026-13-45' },
    ).catch((e: Error) => e);
    expect((bad as Error).message).toBe(
      'reconciliation: day: is not a calendar date between 2000-01-01 and 2099-12-31',
    );
  });

  it('is scheduled once (a second call leaves it), at 06:00 Almaty, and a scheduled run reconciles the previous day', async () => {
    const taskQueue = stack.env.TEMPORAL_TASK_QUEUE!;
    const handle = stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
    await handle.delete().catch(() => undefined);
    try {
      await expectDailyAlmatySchedule(handle, () => ensureReconciliationSchedule(stack.client, taskQueue), {
        hour: 6,
        workflowType: 'reconciliation',
        taskQueue,
      });
      await handle.trigger();
      const yesterday = almatyDay(Date.now() - 24 * 3600_000);
      const run = await eventually(async () => {
        const { rows } = await stack.pool.query(
          `SELECT trigger, status, differences FROM reconciliation_runs WHERE to_char(day, 'YYYY-MM-DD') = $1 AND status <> 'RUNNING'`,
          [yesterday],
        );
        return rows[0];
      }, 60_000);
      expect(run).toEqual({ trigger: 'SCHEDULE', status: 'CLEAN', differences: 0 });
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });

  it('shows the Reconciliation inbox in the browser', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await signInOnPage(page, consoleUrl(), 'aigerim');
      await page.waitForSelector('[data-testid=who]');
      await page.click('#tabs button[data-tab=reconciliation]');
      await eventually(async () => (await page.locator('[data-testid=item-row]').count()) === 6);
      await page.fill('#recon-bar input[name=day]', day);
      await page.click('#recon-show');
      await eventually(async () =>
        (await page.textContent('[data-testid=recon-summary]'))?.startsWith(`${day}: 10 difference(s), 6 open`),
      );
      await page.locator('[data-testid=item-row]').first().click();
      await page.waitForSelector('#detail button[data-action=resolve]');
      await page.click('#detail button[data-action=resolve]');
      await page.waitForSelector('[data-testid=resolve-form]');
      await page.screenshot({ path: path.join(SHOTS, 'reconciliation.png') });
    } finally {
      await browser.close();
    }
  });
});

const consoleUrl = () => consoleRunning.url;
