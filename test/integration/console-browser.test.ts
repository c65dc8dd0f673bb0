import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { isoWithOffset } from '../../domain/incident.js';
import { eventually } from '../support/stack.js';
import { launchChromium, SHOTS, signInOnPage } from '../support/browser.js';
import { signIn, startConsoleStack, type ConsoleStack } from '../support/console.js';
import { completeCard } from '../support/incident-card.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simAdmin } from '../support/sim-admin.js';
import { rejectAtAfm, startAfmSubmission, submissionIn } from '../support/submissions.js';

/**
 * The compliance console in a real headless Chromium (Debian's package, driven by playwright-core): sign in,
 * filter an inbox, act on an item through its workflow and see its status change, verify and export the
 * journal, read the availability index. The README's screenshots are taken here: they are written to
 * docs/screenshots only when SCREENSHOTS=docs (so a test run leaves the work tree clean), else to a temp folder.
 */
const KZ = 300;
const hoursAgo = (h: number) => isoWithOffset(Date.now() - h * 3600_000, KZ);

let stack: ConsoleStack;
let browser: Browser;
let rejected: { submissionId: string; iin: string };
const openSubmissions: string[] = [];
const seeded: Record<'onTime' | 'detected' | 'escalated' | 'draft', string> = {
  onTime: '',
  detected: '',
  escalated: '',
  draft: '',
};

beforeAll(async () => {
  // AFM's verdict polled every second: the real window is a working day, the test a few seconds.
  stack = await startConsoleStack({ SUBMISSION_POLL_INTERVAL: '1s' });
  browser = await launchChromium();

  const bridge = stack.esuBridge;
  const open = async (key: keyof typeof seeded, request: Parameters<typeof bridge.openIncident>[0]) => {
    const handle = await bridge.openIncident(request);
    await handle.status();
    seeded[key] = handle.incidentId;
  };
  await open('onTime', { incidentId: uniqueId('INC-dos'), card: completeCard(hoursAgo(30)), openedBy: 'aigerim' });
  await open('detected', {
    incidentId: uniqueId('auto-unreachable-nomapay'),
    card: {
      name: 'nomapay unreachable for 17 minutes',
      detectedAt: hoursAgo(0.7),
      informationSource: 'TECHNICAL_MEANS',
      mainEvents: ['STABILITY_THREAT'],
      status: 'SUSPICION',
    },
    openedBy: 'detector:counterpart-unreachable',
    origin: { kind: 'DETECTOR', detector: 'counterpart-unreachable', counterpart: 'nomapay' },
  });
  await open('escalated', {
    incidentId: uniqueId('INC-key'),
    card: completeCard(hoursAgo(50), {
      name: 'ESU API key found in a public repository',
      mainEvents: ['UNAUTHORISED_ACCESS'],
    }),
    openedBy: 'erlan',
  });
  await open('draft', {
    incidentId: uniqueId('INC-phish'),
    card: { name: 'Phishing e-mails to cashiers', detectedAt: hoursAgo(3) },
    openedBy: 'aigerim',
  });
  // Traffic for the availability index, and a planned maintenance window recorded by an administrator.
  for (let i = 0; i < 3; i++)
    await bridge.deposit({ depositId: uniqueId('dep'), iin: adultIin(), amountTiyn: 50_000, currency: 'KZT' });
  const admin = await signIn(stack.consoleUrl, 'daniyar');
  await admin.post('/api/maintenance', {
    counterpart: 'esu',
    startsAt: isoWithOffset(Date.now() + 14 * 86_400_000, KZ),
    endsAt: isoWithOffset(Date.now() + 14 * 86_400_000 + 4 * 3600_000, KZ),
    note: 'ESU release 4.2 (announced 3 working days ahead)',
  });
  await admin.post(`/api/inboxes/incidents/${seeded.escalated}/assign`, { assignee: 'erlan' });
  rejected = await seedRejectedSubmission();
}, 240_000);

/** An AFM submission of a deposit, acknowledged, then refused by AFM inside its window with a reason. */
async function seedRejectedSubmission(): Promise<{ submissionId: string; iin: string }> {
  const iin = adultIin();
  const { submissionId } = await startAfmSubmission(stack, iin, 1_250_000);
  openSubmissions.push(submissionId, `${submissionId}-r2`);
  await rejectAtAfm(stack, submissionId, {
    code: 'AMOUNT_MISMATCH',
    reason: 'the amount received differs from the bank statement',
  });
  return { submissionId, iin };
}

afterAll(async () => {
  // The corrected attempt waits out AFM's working-day window: end it with the test.
  await stack?.endWorkflows(openSubmissions.map((id) => `Submission:${id}`));
  await browser?.close();
  await stack?.stop();
});

/** A page signed in as `login`, its inbox loaded, on `tab` when given. */
async function signedInPage(login: string, tab?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await signInOnPage(page, stack.consoleUrl, login);
  await page.waitForSelector('[data-testid=item-row]');
  if (tab) await page.click(`#tabs button[data-tab=${tab}]`);
  return page;
}

/** Polls the text of `selector` on `page` until it contains `text` (30 s: what the console's action takes). */
const expectTextSoon = (page: Page, selector: string, text: string) =>
  expect.poll(() => page.textContent(selector), { timeout: 30_000 }).toContain(text);

const rowIds = (page: Page) =>
  page.$$eval('[data-testid=item-row]', (rows) => rows.map((r) => r.getAttribute('data-id')));
/** The rows of this file's seeded items: other integration files share the database and add incidents of their own. */
const seededRowIds = async (page: Page) =>
  (await rowIds(page)).filter((id) => Object.values(seeded).includes(id ?? ''));
const row = (page: Page, id: string) => page.locator(`[data-testid=item-row][data-id="${id}"]`);

describe('compliance console in Chromium', () => {
  it('an officer filters the incident inbox, submits a card and sees its status change', async () => {
    const page = await signedInPage('aigerim');
    await expect.poll(() => rowIds(page)).toEqual(expect.arrayContaining(Object.values(seeded)));
    await expect.poll(() => row(page, seeded.escalated).locator('.flag.ESCALATED').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'console-inbox.png') });

    await page.selectOption('#filters select[name=counterpart]', 'nomapay');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => seededRowIds(page)).toEqual([seeded.detected]);
    await page.click('#reset-filters');
    await page.selectOption('#filters select[name=status]', 'ESCALATED');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => seededRowIds(page)).toEqual([seeded.escalated]);
    await page.click('#reset-filters');
    await expect.poll(async () => (await rowIds(page)).length).toBeGreaterThanOrEqual(4);

    await row(page, seeded.onTime).click();
    await page.waitForSelector('[data-testid=card]');
    expect(await page.textContent('[data-testid=detail-status]')).toBe('OPEN');
    await page.click('#detail button[data-action=submit]');
    await expect.poll(() => page.textContent('[data-testid=detail-status]'), { timeout: 30_000 }).toBe('SUBMITTED');
    await expect
      .poll(() => row(page, seeded.onTime).locator('[data-testid=item-status]').textContent())
      .toBe('SUBMITTED');
    expect(await page.textContent('[data-testid=flash]')).toContain('Card submitted: SUBMITTED');
    expect(await page.textContent('[data-testid=timeline]')).toContain('incident.card-delivered');
    await page.screenshot({ path: path.join(SHOTS, 'console-incident-submitted.png'), fullPage: true });

    // An incomplete draft shows what is missing and offers no submit button.
    await row(page, seeded.draft).click();
    await expect.poll(() => page.locator('#detail .reason').textContent()).toContain('row 6 symptoms: required');
    expect(await page.locator('#detail button[data-action=submit]').count()).toBe(0);
    await page.close();
  });

  it('an officer finds a rejected AFM submission, corrects and resubmits it, and sees it replaced once', async () => {
    const page = await signedInPage('aigerim', 'submissions');
    await page.selectOption('#filters select[name=counterpart]', 'afm');
    await page.fill('#filters input[name=bettor]', rejected.iin);
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rowIds(page)).toEqual([rejected.submissionId]);
    await row(page, rejected.submissionId).click();
    await expect.poll(() => page.textContent('[data-testid=detail-status]')).toBe('REJECTED');
    expect(await page.textContent('#detail .reason')).toContain('differs from the bank statement');
    expect(await page.textContent('#detail')).toContain('1 working day');
    await page.screenshot({ path: path.join(SHOTS, 'console-submission-rejected.png'), fullPage: true });

    await page.click('#detail button[data-action=resubmit]');
    const text = page.locator('#action-form textarea[name=payload]');
    const corrected = JSON.parse(await text.inputValue());
    expect(corrected.record.receivedTiyn).toBe(1_250_000);
    corrected.record.receivedTiyn = 1_205_000;
    await text.fill(JSON.stringify(corrected, null, 2));
    await page.click('#action-form button[type=submit]');
    await expectTextSoon(page, '[data-testid=flash]', 'Resubmitted: AWAITING_APPROVAL');

    // A changed amount waits for a second officer: erlan sees what changes and approves it in his own session.
    const second = await signedInPage('erlan', 'submissions');
    await second.selectOption('#filters select[name=counterpart]', 'afm');
    await second.click('#filters button[type=submit]');
    await row(second, rejected.submissionId).click();
    await expect.poll(() => second.textContent('[data-testid=approval]')).toContain('Corrected by aigerim');
    expect(await second.textContent('[data-testid=approval]')).toContain('1205000');
    await second.screenshot({ path: path.join(SHOTS, 'console-submission-approval.png'), fullPage: true });
    await second.click('#detail button[data-action=approve-resubmission]');
    await expectTextSoon(second, '[data-testid=flash]', 'Correction approved');
    await second.close();

    // The rejected one is replaced by `-r2`, sent once with the corrected amount; the inbox no longer needs anyone.
    const resubmissionId = `${rejected.submissionId}-r2`;
    const chain = await eventually(async () => {
      const { rows } = await stack.pool.query(
        'SELECT submission_id, status, corrected_by FROM submissions WHERE original_submission_id = $1 ORDER BY attempt',
        [rejected.submissionId],
      );
      return rows.length === 2 && rows[1].status === 'ACKNOWLEDGED' ? rows : undefined;
    }, 30_000);
    expect(chain.map((r) => [r.submission_id, r.status, r.corrected_by])).toEqual([
      [rejected.submissionId, 'CORRECTED', resubmissionId],
      [resubmissionId, 'ACKNOWLEDGED', null],
    ]);
    const held = await simAdmin(stack.simulators.afm.url).heldSubmissions();
    const attempts = held.filter((h) => h.submissionId.startsWith(rejected.submissionId));
    expect(attempts.map((h) => [h.submissionId, h.message.record.receivedTiyn]).sort()).toEqual([
      [rejected.submissionId, 1_250_000],
      [resubmissionId, 1_205_000],
    ]);
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rowIds(page)).toEqual([]);
    await page.selectOption('#filters select[name=status]', 'CORRECTED');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rowIds(page)).toEqual([rejected.submissionId]);
    await page.close();
  });

  it('an officer records AFM’s written notice with its scan, and the waiting submission turns REJECTED', async () => {
    const iin = adultIin();
    const { submissionId } = await startAfmSubmission(stack, iin, 730_000);
    openSubmissions.push(submissionId, `${submissionId}-r2`);
    await submissionIn(stack, submissionId, 'ACKNOWLEDGED');

    const page = await signedInPage('aigerim', 'submissions');
    await page.selectOption('#filters select[name=status]', 'ACKNOWLEDGED');
    await page.fill('#filters input[name=bettor]', iin);
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rowIds(page)).toEqual([submissionId]);
    await row(page, submissionId).click();
    await expect.poll(() => page.textContent('[data-testid=detail-status]')).toBe('ACKNOWLEDGED');
    await page.click('#detail button[data-action=notice]');
    const form = page.locator('[data-testid=notice-form]');
    await form.locator('input[name=afmReference]').fill('04-2/3105');
    await form.locator('input[name=noticeDate]').fill(new Date(Date.now() + 5 * 3_600_000).toISOString().slice(0, 10));
    await form.locator('textarea[name=reason]').fill('The IIN is not in the state register.');
    const scan = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
    await form
      .locator('input[name=scan]')
      .setInputFiles({ name: 'afm-letter.pdf', mimeType: 'application/pdf', buffer: scan });
    await page.screenshot({ path: path.join(SHOTS, 'console-written-notice.png'), fullPage: true });
    await form.locator('button[type=submit]').click();
    await expectTextSoon(page, '[data-testid=flash]', 'Notice recorded: REJECTED');

    const stored = (
      await stack.pool.query(
        'SELECT scan, scan_media_type, recorded_by FROM submission_notices WHERE submission_id = $1',
        [submissionId],
      )
    ).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ scan_media_type: 'application/pdf', recorded_by: 'aigerim' });
    expect(Buffer.compare(stored[0].scan, scan)).toBe(0);
    await eventually(
      async () =>
        (await stack.pool.query('SELECT rejection_source FROM submissions WHERE submission_id = $1', [submissionId]))
          .rows[0]?.rejection_source === 'NOTICE',
    );
    await page.close();
  });

  it('an officer verifies the journal and exports a day as CSV', async () => {
    const page = await signedInPage('aigerim', 'journal');
    await page.click('button[data-action=verify]');
    await expectTextSoon(page, '[data-testid=verify-result]', 'Chain intact');
    const today = isoWithOffset(Date.now(), KZ).slice(0, 10);
    await page.fill('input[name=exportDay]', today);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action=export-day]')]);
    expect(download.suggestedFilename()).toBe(`journal-${today}.csv`);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,started_at,event,actor,record_id,ended_at,result,details,hash');
    expect(csv).toContain('console.incident-submitted');
    await page.screenshot({ path: path.join(SHOTS, 'console-journal.png') });
    await page.close();
  });

  it('shows the availability index and planned maintenance', async () => {
    const page = await signedInPage('daniyar', 'availability');
    await page.waitForSelector('[data-testid=availability-row][data-counterpart=esu]');
    await expect
      .poll(() => page.locator('[data-testid=availability-row][data-counterpart=esu] td').nth(1).textContent(), {
        timeout: 15_000,
      })
      .toContain('%');
    expect(await page.textContent('#availability-view')).toContain('ESU release 4.2');
    await page.screenshot({ path: path.join(SHOTS, 'console-availability.png') });
    await page.close();
  });

  it('an auditor sees the same inboxes and card but no action buttons', async () => {
    const page = await signedInPage('saule');
    expect(await page.isHidden('#new-incident')).toBe(true);
    await row(page, seeded.escalated).click();
    await page.waitForSelector('[data-testid=card]');
    expect(await page.locator('#detail [data-action]').count()).toBe(0);
    await page.close();
  });
});
