import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { IncidentAlert, IncidentRecord, IncidentStoreActivities } from '../../activities/incidents.js';
import type { DeliverIncidentCard, IncidentDeliveryActivities } from '../../activities/incident-delivery.js';
import {
  amendIncidentUpdate,
  closeIncidentUpdate,
  getIncidentStatusQuery,
  incident,
  submitIncidentUpdate,
} from '../../workflows/incident.js';
import { formatCardDateTime, isoWithOffset } from '../../domain/incident.js';
import type { OpenIncident } from '../../domain/incident-state.js';
import { ErrorType } from '../../domain/errors.js';
import { completeCard } from '../support/incident-card.js';
import { uniqueId } from '../support/ids.js';
import { endWorkflows, env, replayHistory, useTimeSkipping, withWorker as withFakes } from '../support/workflows.js';

type Activities = IncidentStoreActivities & IncidentDeliveryActivities;
const HOUR = 3600_000;
const KZ = 5 * 60; // UTC+5, Kazakhstan's single zone since 1 March 2024 (G18): the offset travels with the instant

useTimeSkipping();

/** Typed fakes that record what the workflow asked, with the workflow time each alert fired at. */
function fakes() {
  const alerts: IncidentAlert[] = [];
  const records: IncidentRecord[] = [];
  const deliveries: DeliverIncidentCard[] = [];
  const refuse = new Set<string>();
  const waiting = new Map<string, (alert: IncidentAlert) => void>();
  const activities: Activities = {
    recordIncident: async (record) => void records.push(record),
    alertIncident: async (alert) => {
      alerts.push(alert);
      waiting.get(alert.kind)?.(alert);
    },
    deliverIncidentCard: async (request) => {
      deliveries.push(request);
      if (refuse.delete(request.receiver)) {
        throw ApplicationFailure.create({
          message: 'esu POST /v1/incident-cards → 422 CARD_INVALID',
          type: ErrorType.IncidentCardRejected,
          nonRetryable: true,
        });
      }
      const messageId = `${request.incidentId}.v${request.version}.${request.receiver}`;
      return { messageId, acceptedAt: request.sentAt, sentAt: request.sentAt, receivedAt: request.sentAt };
    },
  };
  return {
    activities,
    alerts,
    records,
    deliveries,
    refuse,
    /** Resolves when the workflow raises an alert of this kind (the escalation is a DEADLINE alert). */
    next: (kind: IncidentAlert['kind']) => new Promise<IncidentAlert>((resolve) => waiting.set(kind, resolve)),
  };
}

const started: WorkflowHandle[] = [];

/**
 * A worker on its own task queue for one test. Workflows the test leaves open are terminated afterwards: a
 * timer of an orphaned workflow would otherwise hold up time skipping for the next test on this server.
 */
async function withWorker<T>(activities: Activities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  try {
    return await withFakes(activities, fn);
  } finally {
    await endWorkflows(started.splice(0).map((handle) => handle.workflowId));
  }
}

async function open(
  taskQueue: string,
  input: Omit<OpenIncident, 'incidentId' | 'openedBy'>,
): Promise<WorkflowHandle<typeof incident>> {
  const incidentId = uniqueId('inc');
  const handle = await env.client.workflow.start(incident, {
    taskQueue,
    workflowId: `Incident:${incidentId}`,
    args: [{ incidentId, openedBy: 'ops.aigerim', ...input }],
  });
  started.push(handle);
  return handle;
}

/** Whole minutes between two instants: the workflow's timers fire a few milliseconds after their time. */
const minutes = (toMs: number, fromMs: number) => Math.floor((toMs - fromMs) / 60_000);

const submit = (handle: WorkflowHandle, by = 'ops.aigerim') =>
  handle.executeUpdate(submitIncidentUpdate, { args: [{ submittedBy: by }] });
const close = (handle: WorkflowHandle) =>
  handle.executeUpdate(closeIncidentUpdate, { args: [{ closedBy: 'ops.aigerim' }] });
const since = (alerts: IncidentAlert[], fromMs: number) =>
  alerts.map((a) => `${a.checkpoint}@${minutes(a.firedAtMs, fromMs) / 60}h`);

describe('incident card deadline: 48 hours from detection', () => {
  it('takes a card submitted at 47 h as on time, after the internal target at 24 h and reminders at 36 and 44 h, and never escalates it', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const detectedMs = await env.currentTimeMs();
      const handle = await open(taskQueue, { card: completeCard(isoWithOffset(detectedMs, KZ)) });
      await env.sleep('47 hours');
      const answer = await submit(handle);
      expect(answer.status).toBe('SUBMITTED');
      expect(answer.timeliness).toBe('ON_TIME');
      expect(Date.parse(answer.firstDeliveredAt!) - detectedMs).toBeLessThan(48 * HOUR);
      expect(Date.parse(answer.firstDeliveredAt!) - detectedMs).toBeGreaterThanOrEqual(47 * HOUR);
      expect(f.deliveries.map((d) => `${d.receiver} v${d.version} ${d.phase}`).sort()).toEqual([
        'esu v1 INITIAL',
        'nomapay v1 INITIAL',
      ]);

      await env.sleep('3 hours');
      const final = await close(handle);
      expect(final.escalatedAt).toBeUndefined();
      expect(f.alerts.some((a) => a.kind === 'DEADLINE')).toBe(false);
      expect(since(f.alerts, detectedMs).slice(0, 3)).toEqual([
        'INTERNAL_TARGET@24h',
        'REMINDER-43200000@36h',
        'REMINDER-14400000@44h',
      ]);
      expect((await handle.result()).status).toBe('CLOSED');
    });
  });

  it('escalates a card left unfinished exactly at 48 h, not a minute before, and still takes it late', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const detectedMs = await env.currentTimeMs();
      const handle = await open(taskQueue, { card: completeCard(isoWithOffset(detectedMs, KZ)) });
      await env.sleep(47 * HOUR + 59 * 60_000);
      expect((await handle.query(getIncidentStatusQuery)).status).toBe('OPEN');
      expect(f.alerts.some((a) => a.kind === 'DEADLINE')).toBe(false);

      const escalation = f.next('DEADLINE');
      await env.sleep('1 minute');
      const alert = await escalation;
      expect(minutes(alert.firedAtMs, detectedMs)).toBe(48 * 60);
      const state = await handle.query(getIncidentStatusQuery);
      expect(state.status).toBe('ESCALATED');
      expect(minutes(Date.parse(state.escalatedAt!), Date.parse(state.dueAt))).toBe(0);
      expect(state.timeline.at(-1)).toMatchObject({
        event: 'incident.escalated',
        actor: 'system',
        result: 'ESCALATED',
      });

      const late = await submit(handle);
      expect(late).toMatchObject({ status: 'SUBMITTED_LATE', timeliness: 'LATE' });
      expect(f.records.map((r) => r.entry.event)).toContain('incident.escalated');
      await close(handle);
    });
  });

  it('counts from a detection at night, not from opening the incident in the morning', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      // The next 09:00 in Almaty, and a detection at 02:00 the same night: 7 hours before anyone opened it.
      const now = await env.currentTimeMs();
      const localMidnight = Math.floor((now + KZ * 60_000) / (24 * HOUR)) * 24 * HOUR - KZ * 60_000;
      const morning = localMidnight + 9 * HOUR + (localMidnight + 9 * HOUR <= now ? 24 * HOUR : 0);
      await env.sleep(morning - now);
      const detectedMs = morning - 7 * HOUR;
      const detectedAt = isoWithOffset(detectedMs, KZ);
      expect(formatCardDateTime(detectedAt)).toMatch(/^\d\d\.\d\d\.\d{4} 02:00 UTC\+5$/);

      const handle = await open(taskQueue, { card: completeCard(detectedAt) });
      const state = await handle.query(getIncidentStatusQuery);
      const openedMs = Date.parse(state.openedAt);
      expect(Date.parse(state.dueAt)).toBe(detectedMs + 48 * HOUR);

      await env.sleep(40 * HOUR + 59 * 60_000);
      expect(f.alerts.some((a) => a.kind === 'DEADLINE')).toBe(false);
      const escalation = f.next('DEADLINE');
      await env.sleep('1 minute');
      const alert = await escalation;
      expect(minutes(alert.firedAtMs, detectedMs)).toBe(48 * 60);
      // Opened a moment after 09:00 (the workflow task's own time), so 41 h after opening to the minute.
      expect(openedMs - detectedMs).toBeGreaterThanOrEqual(7 * HOUR);
      expect(Math.round((alert.firedAtMs - openedMs) / 60_000)).toBe(41 * 60);
    });
  });

  it('escalates at once an incident opened after its 48 hours had already run out', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const escalation = f.next('DEADLINE');
      const detectedMs = (await env.currentTimeMs()) - 50 * HOUR;
      const handle = await open(taskQueue, { card: completeCard(isoWithOffset(detectedMs, KZ)) });
      await escalation;
      // Reminders whose time had passed before the incident was opened are not sent; the missed target and deadline are.
      expect(f.alerts.map((a) => a.kind)).toEqual(['INTERNAL_TARGET', 'DEADLINE']);
      expect((await handle.query(getIncidentStatusQuery)).status).toBe('ESCALATED');
    });
  });
});

describe('incident reminders and submission', () => {
  it('reminds at the configured points and the internal target, and stops once the card is out', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const detectedMs = await env.currentTimeMs();
      const timing = { reminderOffsetsMs: [6 * HOUR, HOUR], internalTargetMs: 2 * HOUR };
      const handle = await open(taskQueue, { card: completeCard(isoWithOffset(detectedMs, KZ)), timing });
      await env.sleep('43 hours');
      expect(since(f.alerts, detectedMs)).toEqual(['INTERNAL_TARGET@2h', 'REMINDER-21600000@42h']);
      expect((await handle.query(getIncidentStatusQuery)).remindersSent).toEqual([
        'INTERNAL_TARGET',
        'REMINDER-21600000',
      ]);
      await submit(handle);
      await env.sleep('6 hours');
      expect(since(f.alerts, detectedMs)).toEqual(['INTERNAL_TARGET@2h', 'REMINDER-21600000@42h']);
    });
  });

  it('refuses to submit an incomplete card, naming each missing row (National Bank resolution No. 116, item 55(3))', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const detectedAt = isoWithOffset(await env.currentTimeMs(), KZ);
      const handle = await open(taskQueue, {
        card: { name: 'Back-office logins from an unknown network', detectedAt },
      });
      const err = await submit(handle).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(ErrorType.IncidentCardIncomplete);
      expect(cause.message).toContain('row 6 symptoms: required');
      expect(cause.message).toContain('row 16 specialists: required');
      expect(f.deliveries).toHaveLength(0);
    });
  });

  it('keeps each receiver’s outcome, and a retry sends the card only to the receiver that refused it', async () => {
    const f = fakes();
    f.refuse.add('esu');
    await withWorker(f.activities, async (taskQueue) => {
      const handle = await open(taskQueue, { card: completeCard(isoWithOffset(await env.currentTimeMs(), KZ)) });
      const failed = await submit(handle);
      expect(failed.status).toBe('SUBMISSION_FAILED');
      expect(Object.keys(failed.submissions[0]!.receipts)).toEqual(['nomapay']);
      expect(failed.submissions[0]!.errors.esu?.type).toBe(ErrorType.IncidentCardRejected);

      const retried = await submit(handle, 'ops.daniyar');
      expect(retried.status).toBe('SUBMITTED');
      expect(retried.submissions).toHaveLength(1);
      expect(f.deliveries.map((d) => d.receiver).sort()).toEqual(['esu', 'esu', 'nomapay']);
      // The same signed body on every attempt: the message's send time is the request's, not the retry's.
      expect(new Set(f.deliveries.map((d) => d.sentAt)).size).toBe(1);
    });
  });
});

describe('incident detection time', () => {
  it('refuses a detection time in the future, naming card.detectedAt, and accepts one within a minute of clock skew', async () => {
    const f = fakes();
    await withWorker(f.activities, async (taskQueue) => {
      const nowMs = await env.currentTimeMs();
      const future = await open(taskQueue, { card: completeCard(isoWithOffset(nowMs + 3 * HOUR, KZ)) });
      const failure = await future.result().catch((e: unknown) => e);
      const cause = (failure as { cause?: unknown }).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(ErrorType.InvalidInput);
      expect((cause as ApplicationFailure).message).toMatch(/^card\.detectedAt: must not be in the future/);
      expect(f.records).toHaveLength(0);

      const skewed = await open(taskQueue, { card: completeCard(isoWithOffset(nowMs + 20_000, KZ)) });
      expect((await skewed.query(getIncidentStatusQuery)).status).toBe('OPEN');
    });
  });
});

describe('incident card amended by two officers at once', () => {
  it('keeps both amendments and its history replays', async () => {
    const f = fakes();
    // Both journal writes in flight at once, the first amendment's finishing first: one workflow task holds both.
    const write = f.activities.recordIncident;
    let writes = 0;
    f.activities.recordIncident = async (record) => {
      const delayMs = [0, 300, 900][writes++] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return write(record);
    };
    await withWorker(f.activities, async (taskQueue) => {
      const nowMs = await env.currentTimeMs();
      const handle = await open(taskQueue, { card: { name: 'Two officers', detectedAt: isoWithOffset(nowMs, KZ) } });
      await handle.query(getIncidentStatusQuery);
      const amend = (amendedBy: string, patch: object) =>
        handle.executeUpdate(amendIncidentUpdate, { args: [{ amendedBy, patch }] });
      const [first, second] = await Promise.all([
        amend('ops.aigerim', { symptoms: 'cashier terminals reboot' }),
        amend('ops.daniyar', { plannedActions: 'replace the terminals’ firmware' }),
      ]);
      expect(Math.max(first.version, second.version)).toBe(3);
      await replayHistory(handle);
    });
  });
});
