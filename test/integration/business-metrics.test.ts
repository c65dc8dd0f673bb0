import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlOf, useOwnDatabases } from '../support/databases.js';
import { isoWithOffset } from '../../domain/incident.js';
import { firstSubmissionId } from '../../domain/submission.js';
import { createReadiness, startHealthServer, type RunningHealthServer } from '../../stack/health.js';
import { businessMetrics, METRICS_CONTENT_TYPE } from '../../workers/business-metrics.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { simAdmin } from '../support/sim-admin.js';
import { expectFigures } from '../support/metrics.js';
import { rejectAtAfm } from '../support/submissions.js';
import { eventually, startFileStack } from '../support/stack.js';

/**
 * The worker's business metrics over real operations: a database of this file's own (other files share the
 * integration database and add operations of their own), so every figure is exact.
 */
let stack: Awaited<ReturnType<typeof startFileStack>>;
let health: RunningHealthServer;
const database = `metrics_${Date.now().toString(36)}`;
useOwnDatabases([database], { poolSize: 1, migrated: true });
const openWorkflows: string[] = [];
const KZ = 300;
const hoursAgo = (h: number) => isoWithOffset(Date.now() - h * 3600_000, KZ);

beforeAll(async () => {
  // No maintenance window (the default holds reports 21:00–06:00 Almaty time); AFM's verdict polled every second.
  stack = await startFileStack({
    DATABASE_URL: databaseUrlOf(database),
    MAINTENANCE_WINDOWS: 'off',
    SUBMISSION_POLL_INTERVAL: '1s',
  });
  health = await startHealthServer({ host: '127.0.0.1', port: 0 }, createReadiness({}), {
    metrics: { contentType: METRICS_CONTENT_TYPE, render: businessMetrics(stack.pool) },
  });
});

afterAll(async () => {
  await health?.close();
  await stack?.endWorkflows(openWorkflows);
  await stack?.stop();
});

async function scrape(): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await fetch(`${health.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
  const text = await res.text();
  const values = new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))] as const),
  );
  return { text, value: (series) => values.get(series) };
}

describe('business metrics scraped from the worker over real operations', () => {
  it('counts deposits by outcome, an overdue AFM rejection, incident cards near their 48 hours and counterpart availability — with no IIN or id in the scrape', async () => {
    const completedIin = adultIin();
    const compensatedIin = adultIin();
    const completed = uniqueId('dep');
    const compensated = uniqueId('dep');

    expect(
      (await stack.esuBridge.deposit({ depositId: completed, iin: completedIin, amountTiyn: 300_000, currency: 'KZT' }))
        .status,
    ).toBe('COMPLETED');
    await simAdmin(stack.simulators.esu.url).fault({
      match: { key: `dep-${compensated}` },
      kind: 'reject',
      code: 'LIMIT_EXCEEDED',
    });
    const refused = await stack.esuBridge
      .deposit({ depositId: compensated, iin: compensatedIin, amountTiyn: 200_000, currency: 'KZT' })
      .catch((e) => e);
    expect(refused.state?.status).toBe('COMPENSATED');

    // The completed deposit's AFM record: acknowledged, then rejected by AFM; the officers' working day then passes.
    const submissionId = firstSubmissionId('AFM', `dep-${completed}`);
    openWorkflows.push(`Submission:${submissionId}`);
    await rejectAtAfm(
      stack,
      submissionId,
      { code: 'AMOUNT_MISMATCH', reason: 'the amount differs from the bank statement' },
      30_000,
    );
    // The compensated deposit reported nothing: this file's database holds the one AFM record.
    expect((await stack.pool.query('SELECT submission_id FROM submissions')).rows).toEqual([
      { submission_id: submissionId },
    ]);
    const before = await scrape();
    expect(before.value('esu_bridge_submissions{counterpart="afm",status="rejected"}')).toBe(1);
    expect(before.value('esu_bridge_submissions_rejected_overdue{counterpart="afm"}')).toBe(0); // due at the end of the next working day
    await stack.pool.query(`UPDATE submissions SET due_at = now() - interval '2 hours' WHERE submission_id = $1`, [
      submissionId,
    ]);

    // Three draft incident cards (nothing to deliver yet): 48 hours passed, 4 hours left, 45 hours left.
    const incidents = [
      {
        incidentId: uniqueId('INC-late'),
        card: { name: 'Suspicious logins to the back office', detectedAt: hoursAgo(50) },
        openedBy: 'aigerim',
      },
      {
        incidentId: uniqueId('INC-soon'),
        card: { name: 'Phishing e-mails to cashiers', detectedAt: hoursAgo(44) },
        openedBy: 'aigerim',
      },
      {
        incidentId: uniqueId('INC-new'),
        card: { name: 'Malware on a cash desk', detectedAt: hoursAgo(3) },
        openedBy: 'erlan',
      },
    ];
    for (const request of incidents) {
      const handle = await stack.esuBridge.openIncident(request);
      openWorkflows.push(handle.workflowId);
    }
    await eventually(async () => (await stack.pool.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n === 3);

    // The exchange recorder flushes every 5 s: the availability index follows.
    const { text, value } = await eventually(async () => {
      const s = await scrape();
      return s.value('esu_bridge_counterpart_availability_ratio{counterpart="nomapay"}') !== undefined && s;
    }, 30_000);

    expectFigures(value, {
      'esu_bridge_operations{kind="deposit",outcome="completed"}': 1,
      'esu_bridge_operations{kind="deposit",outcome="compensated"}': 1,
      'esu_bridge_operations{kind="deposit",outcome="in_progress"}': 0,
      'esu_bridge_operations{kind="deposit",outcome="compensation_failed"}': 0,
      'esu_bridge_operations{kind="payout",outcome="completed"}': 0,
      'esu_bridge_compensation_failures{kind="deposit"}': 0,
      'esu_bridge_submissions{counterpart="afm",status="rejected"}': 1,
      'esu_bridge_submissions_rejected_overdue{counterpart="afm"}': 1,
      'esu_bridge_submissions_rejected_overdue{counterpart="esu"}': 0,
      'esu_bridge_incidents_undelivered{deadline="past"}': 1,
      'esu_bridge_incidents_undelivered{deadline="within_6h"}': 1,
      'esu_bridge_incidents_undelivered{deadline="within_24h"}': 0,
      'esu_bridge_incidents_undelivered{deadline="later"}': 1,
      'esu_bridge_counterpart_availability_ratio{counterpart="esu"}': 1, // a refusal is an answer: ESU was up
      'esu_bridge_counterpart_availability_ratio{counterpart="nomapay"}': 1,
      'esu_bridge_counterpart_outage_seconds{counterpart="esu"}': 0,
    });
    const overdueSeconds = value('esu_bridge_submissions_rejected_overdue_seconds{counterpart="afm"}');
    expect(overdueSeconds).toBeGreaterThanOrEqual(7200);
    expect(overdueSeconds).toBeLessThan(7200 + 120);
    const nextDeadline = value('esu_bridge_incident_next_deadline_seconds');
    expect(nextDeadline).toBeGreaterThan(-2.1 * 3600);
    expect(nextDeadline).toBeLessThan(-1.9 * 3600);

    // Nothing personal and no id: not the IINs, not the bettor references, not an operation, submission or incident id.
    for (const secret of [
      completedIin,
      compensatedIin,
      stack.esuBridge.bettorRef(completedIin),
      completed,
      compensated,
      submissionId,
      ...incidents.map((i) => i.incidentId),
    ]) {
      expect(text).not.toContain(secret);
    }
    const labelValues = new Set([...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]!));
    expect([...labelValues].filter((v) => !/^[a-z0-9_]{1,24}$/.test(v) || /\d{6}/.test(v))).toEqual([]);
  });
});
