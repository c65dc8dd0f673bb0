import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SendAfmSubmission } from '../../activities/afm.js';
import type { SendEsuSubmission } from '../../activities/esu-submissions.js';
import { createSubmissionCalendarActivities, type SubmissionRecord } from '../../activities/submissions.js';
import { createSubmissionClient } from '../../client/submissions.js';
import { StepRejectedError } from '../../client/identification.js';
import { ErrorType } from '../../domain/errors.js';
import { DEFAULT_MAINTENANCE_WINDOWS, maintenanceWindowAt, parseMaintenanceWindows } from '../../domain/maintenance.js';
import { firstSubmissionId, type SubmissionInput, type SubmissionReceipt } from '../../domain/submission.js';
import type { AfmSubmissionStatus, AfmVerdictMessage } from '../../domain/wire/afm.js';
import type { VerdictStoreActivities } from '../../activities/verdicts.js';
import type { DetectorActivities } from '../../activities/detectors.js';
import type { IncidentRecord, IncidentStoreActivities } from '../../activities/incidents.js';
import type { IncidentDeliveryActivities } from '../../activities/incident-delivery.js';
import { unreachableTrip, type DetectorSettings } from '../../domain/detectors.js';
import type { MinuteBucket } from '../../domain/availability.js';
import { IncidentTiming } from '../../domain/incident-deadlines.js';
import { incidentDetector } from '../../workflows/incident-detector.js';
import { verdictReader } from '../../workflows/verdict-reader.js';
import type { EsuOperationRequest } from '../../domain/wire/esu.js';
import { addDays, localDate, officerDueAt, startOfLocalDay } from '../../domain/working-days.js';
import {
  afmVerdictSignal,
  resubmitSubmissionUpdate,
  resumeSubmissionSignal,
} from '../../workflows/submission/index.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { endWorkflows, env, useTimeSkipping, withWorker as withFakes } from '../support/workflows.js';
import {
  afmSubmissionInput,
  calendar,
  HOUR,
  iso,
  MIN,
  nextLocal,
  travelTo,
  working,
  type SubmissionActivities,
  localTime,
  travelToNext,
  workingWithNext,
} from './submission-fakes.js';

type Activities = SubmissionActivities &
  VerdictStoreActivities &
  DetectorActivities &
  IncidentStoreActivities &
  IncidentDeliveryActivities;

const maintenance = parseMaintenanceWindows(DEFAULT_MAINTENANCE_WINDOWS);
const policy = {
  pollIntervalMs: HOUR,
  outageDeadlineMs: 3 * HOUR,
  retryPauseMs: 5 * MIN,
  retryPauseMaxMs: 30 * MIN,
  reminderFraction: 0.5,
};
const FETCH_INTERVAL = MIN;

// ERROR: the outage tests fail hundreds of attempts on purpose.
// A time-skipping server per test: a test's time skips only while nothing else is in flight on its server, and on a
// loaded machine what an earlier test set off could hold a later test's `env.sleep` to real time (the ESU test's
// two hours timed out at 60 s in CI).
useTimeSkipping({ logLevel: 'ERROR', server: 'per-test' });

/**
 * Typed fakes of the counterparts and the store; the calendar activities are the real ones over the shipped
 * calendar file. Every counterpart call is stamped with the server's (skipped) time.
 */
function fakes({ maintenanceWindows = maintenance } = {}) {
  const afmCalls: (SendAfmSubmission & { atMs: number; outcome: 'SENT' | 'FOUND' | 'DOWN' | 'REFUSED' })[] = [];
  const esuCalls: (SendEsuSubmission & { atMs: number })[] = [];
  const polls: { messageId: string; atMs: number }[] = [];
  const landed = new Map<string, SubmissionReceipt>();
  const verdicts = new Map<string, AfmSubmissionStatus>();
  const records: SubmissionRecord[] = [];
  const refuse = new Set<string>();
  const waiting = new Map<string, () => void>();
  const recorded = new Map<string, () => void>();
  const control = { down: (_atMs: number) => false, wrongKey: false };
  /** AFM's messages feed: the verdicts it published, in order; and every read of it. */
  const feed: AfmVerdictMessage[] = [];
  const feedReads: { after?: string; atMs: number }[] = [];
  const cursors: string[] = [];
  const undeliverable: string[] = [];
  const incidents: IncidentRecord[] = [];
  let sequence = 0;
  const activities: Activities = {
    ...createSubmissionCalendarActivities({ calendar: async () => calendar, maintenance: maintenanceWindows, policy }),
    recordSubmission: async (record) => {
      records.push(record);
      recorded.get(`${record.state.submissionId} ${record.entry.event}`)?.();
    },
    sendAfmSubmission: async (request) => {
      const atMs = await env.currentTimeMs();
      const found = request.checkFirst ? landed.get(request.submissionId) : undefined;
      if (found) {
        afmCalls.push({ ...request, atMs, outcome: 'FOUND' });
        return { ...found, foundExisting: true };
      }
      if (control.down(atMs)) {
        afmCalls.push({ ...request, atMs, outcome: 'DOWN' });
        throw new Error('AFM POST /v1/submissions → 503 UNAVAILABLE simulated outage');
      }
      if (control.wrongKey) {
        afmCalls.push({ ...request, atMs, outcome: 'REFUSED' });
        throw ApplicationFailure.create({
          message: 'AFM POST /v1/submissions → 422 SIGNATURE_INVALID',
          type: ErrorType.CounterpartAuthFailed,
          nonRetryable: true,
        });
      }
      if (refuse.delete(request.submissionId)) {
        afmCalls.push({ ...request, atMs, outcome: 'REFUSED' });
        throw ApplicationFailure.create({
          message: 'AFM refused the record: INVALID_REQUEST record.receivedTiyn: amount must be greater than zero',
          type: ErrorType.SubmissionRejected,
          nonRetryable: true,
          details: [{ code: 'INVALID_REQUEST', reason: 'record.receivedTiyn: amount must be greater than zero' }],
        });
      }
      afmCalls.push({ ...request, atMs, outcome: 'SENT' });
      sequence += 1;
      const receipt: SubmissionReceipt = {
        messageId: `AFM-${sequence}`,
        acceptedAt: iso(atMs),
        sentAt: iso(atMs),
        receivedAt: iso(atMs),
        final: false,
      };
      landed.set(request.submissionId, receipt);
      waiting.get(request.submissionId)?.();
      return receipt;
    },
    getAfmVerdict: async ({ messageId }) => {
      polls.push({ messageId, atMs: await env.currentTimeMs() });
      return verdicts.get(messageId) ?? { messageId, status: 'ACCEPTED_FOR_PROCESSING' };
    },
    readAfmMessages: async ({ after, limit }) => {
      const atMs = await env.currentTimeMs();
      feedReads.push({ after, atMs });
      if (control.down(atMs)) throw new Error('AFM GET /v1/messages → 503 UNAVAILABLE simulated outage');
      const from = after ? Number(after) : 0;
      const messages = feed.slice(from, from + limit);
      const next = from + messages.length;
      return { messages, ...(next ? { nextCursor: String(next) } : {}), hasMore: next < feed.length };
    },
    loadVerdictCursor: async () => cursors.at(-1),
    saveVerdictCursor: async ({ cursor }) => void cursors.push(cursor),
    journalUndeliverableVerdicts: async ({ verdicts }) =>
      void undeliverable.push(...verdicts.map((v) => v.submissionId)),
    // The counterpart-unreachable detector over what the fake AFM saw: a DOWN minute per failed send, UP per answer.
    detectIncidents: async (settings: DetectorSettings) => {
      const nowMs = await env.currentTimeMs();
      const buckets = new Map<number, MinuteBucket>();
      for (const call of afmCalls) {
        const minuteMs = Math.floor(call.atMs / MIN) * MIN;
        const b = buckets.get(minuteMs) ?? {
          minuteMs,
          ok: 0,
          clientErrors: 0,
          authFailures: 0,
          serverErrors: 0,
          networkErrors: 0,
        };
        if (call.outcome === 'DOWN') b.serverErrors += 1;
        else b.ok += 1;
        buckets.set(minuteMs, b);
      }
      const trip = unreachableTrip('AFM', [...buckets.values()], [], nowMs, settings);
      return trip && !incidents.some((r) => r.entry.event === 'incident.opened') ? [trip] : [];
    },
    recordIncident: async (r) => {
      incidents.push(r);
      if (r.entry.event === 'incident.opened') started.push(`-incident:${r.state.incidentId}`);
    },
    alertIncident: async () => undefined,
    deliverIncidentCard: async () => {
      throw new Error('not expected');
    },
    sendEsuSubmission: async (request) => {
      const atMs = await env.currentTimeMs();
      esuCalls.push({ ...request, atMs });
      waiting.get(request.submissionId)?.();
      return {
        messageId: `ESU-${esuCalls.length}`,
        acceptedAt: iso(atMs),
        sentAt: iso(atMs),
        receivedAt: iso(atMs),
        final: true,
      };
    },
  };
  return {
    activities,
    afmCalls,
    esuCalls,
    polls,
    landed,
    verdicts,
    records,
    refuse,
    control,
    feed,
    feedReads,
    undeliverable,
    incidents,
    /** AFM publishes a rejection of this acknowledged submission on its feed. */
    publish: (submissionId: string, messageId: string, code: string, rejectedAtMs: number) =>
      feed.push({
        id: `MSG-${feed.length + 1}`,
        type: 'SUBMISSION_REJECTED',
        messageId,
        submissionId,
        rejection: { code, reason: 'the IIN is not in the state register', rejectedAt: iso(rejectedAtMs) },
        publishedAt: iso(rejectedAtMs),
      }),
    events: () => records.map((r) => r.entry.event),
    /** Resolves when the submission journals this event. */
    journalled: (submissionId: string, event: string) =>
      new Promise<void>((resolve) => recorded.set(`${submissionId} ${event}`, resolve)),
    /** Resolves when a record under this submission id reaches the counterpart. */
    sent: (submissionId: string) => new Promise<void>((resolve) => waiting.set(submissionId, resolve)),
  };
}

const started: string[] = [];

/**
 * A worker on its own task queue. Every submission a test leaves open (children too) is terminated while the
 * worker still runs and the last step has settled: a task cut off mid-flight keeps the test server from skipping time.
 */
async function withWorker<T>(
  activities: Activities,
  fn: (submissions: ReturnType<typeof createSubmissionClient>, taskQueue: string) => Promise<T>,
  { reader = true } = {},
): Promise<T> {
  return withFakes(activities, async (taskQueue) => {
    const readerId = uniqueId('VerdictReader');
    // The worker's verdict reader (workers/main.ts starts one per counterpart): the only reader of AFM's feed.
    if (reader)
      await env.client.workflow.start(verdictReader, {
        taskQueue,
        workflowId: readerId,
        args: [{ counterpart: 'AFM', intervalMs: FETCH_INTERVAL, pageSize: 100 }],
      });
    try {
      return await fn(createSubmissionClient({ client: env.client, taskQueue }), taskQueue);
    } finally {
      if (reader) await endWorkflows([readerId]);
      // Let whatever the last step set off (a local activity, a workflow task) finish first.
      await env.sleep('1 second');
      const workflowIdOf = (id: string) =>
        id.startsWith('-detector:')
          ? id.slice('-detector:'.length)
          : id.startsWith('-incident:')
            ? `Incident:${id.slice('-incident:'.length)}`
            : `Submission:${id}`;
      await endWorkflows(started.splice(0).map(workflowIdOf));
    }
  });
}

function afmInput(overrides: Partial<SubmissionInput> = {}): SubmissionInput {
  const input = afmSubmissionInput(overrides);
  started.push(input.submissionId, `${input.submissionId}-r2`);
  return input;
}

describe('AFM rejection window: 1 working day (AFM order No. 9, item 5(3))', () => {
  it('takes a rejection arriving 20 hours after a Friday-evening submission: the window runs to the end of Monday', async () => {
    const f = fakes();
    const friday = await nextLocal(
      '19:00',
      (d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 5 && working(d) && working(addDays(d, 3)),
    );
    await travelTo(friday);
    await withWorker(f.activities, async (submissions) => {
      const input = afmInput();
      const handle = await submissions.startSubmission(input);
      await env.sleep('20 hours');
      const before = await handle.status();
      expect(before.status).toBe('ACKNOWLEDGED');
      const monday = addDays(localDate(friday, calendar), 3);
      expect(Date.parse(before.windowEndsAt!)).toBe(startOfLocalDay(addDays(monday, 1), calendar));

      // Saturday afternoon: AFM says it cannot accept the record.
      const rejectedAt = await env.currentTimeMs();
      expect(rejectedAt - Date.parse(before.acknowledgedAt!)).toBeGreaterThan(20 * HOUR - MIN);
      const messageId = before.receipt!.messageId;
      const journalled = f.journalled(input.submissionId, 'submission.rejected');
      f.publish(input.submissionId, messageId, 'IIN_UNKNOWN', rejectedAt);
      await env.sleep('2 minutes');
      await journalled;

      const after = await handle.status();
      expect(after.status).toBe('REJECTED');
      expect(after.rejection).toMatchObject({
        code: 'IIN_UNKNOWN',
        source: 'VERDICT',
        channel: 'FETCH',
        verdictId: 'MSG-1',
      });
      // Learnt within one fetch interval of AFM's publishing it, and without a single status request.
      const entry = f.records.find((r) => r.entry.event === 'submission.rejected')!;
      expect(entry.entry.startedAtMs - rejectedAt).toBeLessThanOrEqual(FETCH_INTERVAL + 5_000);
      expect(f.polls).toHaveLength(0);
      expect(Date.parse(after.rejection!.rejectedAt)).toBeLessThan(Date.parse(after.windowEndsAt!));
      expect(after.acceptedAt).toBeUndefined();
      expect(f.events()).toEqual([
        'submission.queued',
        'submission.sending',
        'submission.acknowledged',
        'submission.rejected',
      ]);
    });
  }, 240_000); // 20 hours of the reader's one-minute reads, skipped

  it('accepts a submission nobody rejected only at the end of the next working day, not a minute before', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', workingWithNext);
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        const accepted = f.journalled(input.submissionId, 'submission.accepted');
        const handle = await submissions.startSubmission(input);
        const windowEnd = startOfLocalDay(addDays(localDate(start, calendar), 2), calendar);
        await travelTo(windowEnd - MIN);
        expect((await handle.status()).status).toBe('ACKNOWLEDGED');

        await env.sleep('2 minutes');
        await accepted;
        const final = await handle.status();
        expect(final.status).toBe('ACCEPTED');
        expect(Date.parse(final.windowEndsAt!)).toBe(windowEnd);
        expect(Date.parse(final.acceptedAt!)).toBeGreaterThanOrEqual(windowEnd);
        // Not one poll while the window is open: one status check at its end, so a lost message cannot make it ACCEPTED.
        expect(final.polls).toBe(1);
        expect(f.polls).toHaveLength(1);
        expect(f.polls[0]!.atMs).toBeGreaterThanOrEqual(windowEnd);
        expect(f.afmCalls.filter((c) => c.outcome === 'SENT')).toHaveLength(1);
      },
      { reader: false },
    );
  });

  it('turns a rejection the feed never delivered into REJECTED at the final status check, not ACCEPTED', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', workingWithNext);
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        const rejected = f.journalled(input.submissionId, 'submission.rejected');
        const handle = await submissions.startSubmission(input);
        await env.sleep('1 hour');
        const { receipt, windowEndsAt } = await handle.status();
        // AFM rejected it, but its message was lost: neither feed nor push brings it.
        f.verdicts.set(receipt!.messageId, {
          messageId: receipt!.messageId,
          status: 'REJECTED',
          rejection: {
            code: 'IIN_UNKNOWN',
            reason: 'the IIN is not in the state register',
            rejectedAt: iso(start + 2 * HOUR),
          },
        });
        await travelTo(Date.parse(windowEndsAt!) + MIN);
        await rejected;
        const final = await handle.status();
        expect(final.status).toBe('REJECTED');
        expect(final.rejection).toMatchObject({ code: 'IIN_UNKNOWN', source: 'VERDICT', channel: 'STATUS' });
        expect(f.polls).toHaveLength(1);
        expect(f.events()).not.toContain('submission.accepted');
      },
      { reader: false },
    );
  });

  it('extends the window over a public holiday: acknowledged on its eve, it closes at the end of the first working day after', async () => {
    const f = fakes();
    // The eve of a weekday holiday in the shipped calendar (16 December, Independence Day; Nauryz in March).
    const eve = await nextLocal(
      '17:00',
      (d) =>
        working(d) &&
        calendar.daysOff.has(addDays(d, 1)) &&
        ![0, 6].includes(new Date(`${addDays(d, 1)}T00:00:00Z`).getUTCDay()),
    );
    await travelTo(eve);
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
        const accepted = f.journalled(input.submissionId, 'submission.accepted');
        const handle = await submissions.startSubmission(input);
        await acknowledged;
        let firstWorking = addDays(localDate(eve, calendar), 1);
        while (!working(firstWorking)) firstWorking = addDays(firstWorking, 1);
        const expectedEnd = startOfLocalDay(addDays(firstWorking, 1), calendar);
        const withoutHoliday = startOfLocalDay(addDays(localDate(eve, calendar), 2), calendar);
        expect(expectedEnd).toBeGreaterThan(withoutHoliday);

        const state = await handle.status();
        expect(Date.parse(state.windowEndsAt!)).toBe(expectedEnd);
        await travelTo(withoutHoliday + HOUR);
        expect((await handle.status()).status).toBe('ACKNOWLEDGED');
        await travelTo(expectedEnd + MIN);
        await accepted;
        expect((await handle.status()).status).toBe('ACCEPTED');
      },
      { reader: false },
    );
  });
});

describe('correcting a rejected submission', () => {
  it('sends a corrected resubmission exactly once, however often it is asked for', async () => {
    const f = fakes();
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        f.refuse.add(input.submissionId);
        const rejection = f.journalled(input.submissionId, 'submission.rejected');
        const handle = await submissions.startSubmission(input);
        await rejection;
        const rejected = await handle.status();
        expect(rejected.status).toBe('REJECTED');
        expect(rejected.rejection).toMatchObject({ code: 'INVALID_REQUEST', source: 'SYNCHRONOUS' });

        // The workflow's validator names the field, and nothing is sent.
        const raw = env.client.workflow.getHandle(handle.workflowId);
        const bad = { counterpart: 'AFM', record: { ...input.payload.record, iin: '123' } };
        const err = await raw
          .executeUpdate(resubmitSubmissionUpdate, { args: [{ payload: bad as never, actor: 'officer.aigerim' }] })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(ErrorType.InvalidInput);
        expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toContain(
          'payload.record.iin',
        );

        const corrected = { counterpart: 'AFM' as const, record: { ...input.payload.record, receivedTiyn: 260_000 } };
        const resubmissionId = `${input.submissionId}-r2`;
        const sent = f.sent(resubmissionId);
        const corrected$ = f.journalled(input.submissionId, 'submission.corrected');
        const [a, b] = await Promise.all([
          submissions.resubmitSubmission(input.submissionId, corrected, 'officer.aigerim'),
          submissions.resubmitSubmission(input.submissionId, corrected, 'officer.daniyar'),
        ]);
        expect(a.correctedBy?.submissionId).toBe(resubmissionId);
        expect(b.correctedBy).toEqual(a.correctedBy);
        await corrected$;
        expect((await handle.status()).status).toBe('CORRECTED');
        await sent;

        // Asked a third time, after the rejected attempt has ended: the existing link, nothing sent.
        const again = await submissions.resubmitSubmission(input.submissionId, corrected, 'officer.aigerim');
        expect(again.correctedBy).toEqual(a.correctedBy);
        const child = await submissions.getSubmission(resubmissionId);
        expect(child).toMatchObject({
          attempt: 2,
          originalSubmissionId: input.submissionId,
          correctsSubmissionId: input.submissionId,
          status: 'ACKNOWLEDGED',
        });
        expect(child.payload.record).toMatchObject({ receivedTiyn: 260_000 });
        expect(f.afmCalls.filter((c) => c.submissionId === resubmissionId)).toHaveLength(1);
        expect(f.records.filter((r) => r.entry.event === 'submission.corrected')).toHaveLength(1);

        // Only a REJECTED submission can be corrected.
        const refused = await submissions
          .resubmitSubmission(resubmissionId, corrected, 'officer.aigerim')
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(StepRejectedError);
        expect((refused as StepRejectedError).type).toBe(ErrorType.SubmissionStepRejected);
      },
      { reader: false },
    );
  });

  it('reminds at half the officers’ due time and escalates an untouched rejection when it passes, then keeps waiting', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', workingWithNext);
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        f.refuse.add(input.submissionId);
        const rejection = f.journalled(input.submissionId, 'submission.rejected');
        const handle = await submissions.startSubmission(input);
        await rejection;
        const state = await handle.status();
        const rejectedMs = Date.parse(state.rejection!.rejectedAt);
        const dueMs = officerDueAt(rejectedMs, calendar);
        expect(Date.parse(state.officerDueAt!)).toBe(dueMs);
        expect(dueMs).toBe(startOfLocalDay(addDays(localDate(start, calendar), 2), calendar));
        const reminderMs = rejectedMs + Math.round((dueMs - rejectedMs) / 2);
        expect(Date.parse(state.reminderAt!)).toBe(reminderMs);

        await travelTo(reminderMs - MIN);
        expect((await handle.status()).remindedAt).toBeUndefined();
        await env.sleep('2 minutes');
        const reminded = await handle.status();
        expect(Date.parse(reminded.remindedAt!)).toBeGreaterThanOrEqual(reminderMs);
        expect(reminded.escalatedAt).toBeUndefined();

        await travelTo(dueMs - MIN);
        expect((await handle.status()).escalatedAt).toBeUndefined();
        await env.sleep('2 minutes');
        const escalated = await handle.status();
        expect(escalated.status).toBe('REJECTED');
        expect(Date.parse(escalated.escalatedAt!)).toBeGreaterThanOrEqual(dueMs);
        const entry = f.records.find((r) => r.entry.event === 'submission.escalated')!;
        expect(entry.entry.result).toBe('ESCALATED');
        expect(entry.state.escalatedAt).toBe(escalated.escalatedAt);
        expect(f.events().filter((e) => e === 'submission.reminder')).toHaveLength(1);

        // Still waiting for compliance a day later.
        await env.sleep('1 day');
        const acknowledged = f.journalled(`${input.submissionId}-r2`, 'submission.acknowledged');
        const corrected = await submissions.resubmitSubmission(input.submissionId, input.payload, 'officer.aigerim');
        expect(corrected.status).toBe('CORRECTED');
        await acknowledged; // no activity left in flight when the test ends
      },
      { reader: false },
    );
  });
});

describe('sending through outages', () => {
  it('waits out an outage inside the 21:00–06:00 maintenance window and sends after 06:00', async () => {
    const f = fakes();
    const night = await travelToNext('22:00', workingWithNext);
    const morning = localTime(addDays(localDate(night, calendar), 1), '06:00');
    expect(maintenanceWindowAt(night, maintenance, calendar)).toBe(morning);
    // AFM is down for the night: its planned maintenance.
    f.control.down = (atMs) => maintenanceWindowAt(atMs, maintenance, calendar) !== undefined;
    await withWorker(
      f.activities,
      async (submissions) => {
        const handle = await submissions.startSubmission(afmInput());
        await env.sleep('30 minutes');
        const waiting = await handle.status();
        expect(waiting.status).toBe('WAITING_MAINTENANCE');
        expect(Date.parse(waiting.maintenanceUntil!)).toBe(morning);
        const triedAtNight = f.afmCalls.length;
        expect(triedAtNight).toBeGreaterThan(0);

        await travelTo(morning - 10 * MIN);
        expect((await handle.status()).status).toBe('WAITING_MAINTENANCE');
        expect(f.afmCalls).toHaveLength(triedAtNight); // no retries burnt while waiting

        await travelTo(morning + 10 * MIN);
        const sent = await handle.status();
        expect(sent.status).toBe('ACKNOWLEDGED');
        const success = f.afmCalls.filter((c) => c.outcome === 'SENT');
        expect(success).toHaveLength(1);
        expect(success[0]!.atMs).toBeGreaterThanOrEqual(morning);
        expect(f.events()).toContain('submission.waiting-maintenance');
      },
      { reader: false },
    );
  });

  it('keeps sending through a 3-day outage: RETRYING with its last error and next attempt, an incident opened, and through by itself when AFM is back', async () => {
    // No maintenance windows: three days of pure outage, nothing waited out.
    const f = fakes({ maintenanceWindows: parseMaintenanceWindows('off') });
    const start = await travelToNext('10:00', working);
    const backAt = start + 3 * 24 * HOUR;
    f.control.down = (atMs) => atMs < backAt;
    await withWorker(
      f.activities,
      async (submissions, taskQueue) => {
        const detectorId = uniqueId('IncidentDetector');
        const settings = { unreachableAfterMs: 15 * MIN, authFailures: 5, authWindowMs: 10 * MIN, offsetMinutes: 300 };
        await env.client.workflow.start(incidentDetector, {
          taskQueue,
          workflowId: detectorId,
          args: [{ intervalMs: 30 * MIN, settings, timing: IncidentTiming.parse({}) }],
        });
        // Left running, the detector and its incident would hold the server's clock for the next tests.
        started.push(`-detector:${detectorId}`);
        const input = afmInput();
        const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
        const handle = await submissions.startSubmission(input);

        await env.sleep('5 hours');
        const retrying = await handle.status();
        expect(retrying.status).toBe('RETRYING');
        expect(retrying.lastError?.message).toContain('503');
        expect(Date.parse(retrying.nextAttemptAt!)).toBeGreaterThan(Date.parse(retrying.lastError!.at));
        expect(Date.parse(retrying.nextAttemptAt!) - Date.parse(retrying.lastError!.at)).toBeLessThanOrEqual(30 * MIN);
        expect(Date.parse(retrying.outageSince!)).toBeGreaterThanOrEqual(start);
        expect(Date.parse(retrying.outageSince!)).toBeLessThan(start + MIN);
        // Past the 3-hour outage deadline: journalled once, and the detector opened one incident for AFM.
        expect(f.events().filter((e) => e === 'submission.outage')).toHaveLength(1);
        const opened = f.incidents.filter((r) => r.entry.event === 'incident.opened');
        expect(opened).toHaveLength(1);
        expect(opened[0]!.state.origin).toEqual({
          kind: 'DETECTOR',
          detector: 'counterpart-unreachable',
          counterpart: 'AFM',
        });
        // The submissions table shows it too (the row mirrors the state).
        const row = f.records.at(-1)!.state;
        expect(row.status).toBe('RETRYING');
        expect(row.nextAttemptAt).toBeDefined();

        await travelTo(backAt + 31 * MIN);
        await acknowledged;
        const sent = await handle.status();
        expect(sent.status).toBe('ACKNOWLEDGED');
        expect(sent.lastError).toBeUndefined();
        expect(sent.nextAttemptAt).toBeUndefined();
        expect(f.events()).not.toContain('submission.failed');
        const success = f.afmCalls.filter((c) => c.outcome === 'SENT');
        expect(success).toHaveLength(1);
        expect(success[0]!.atMs).toBeGreaterThanOrEqual(backAt);
        expect(success[0]!.atMs).toBeLessThanOrEqual(backAt + 31 * MIN);
        // Capped backoff: at most a round every 30 minutes (5 attempts each) over 72 hours, not one a minute.
        expect(f.afmCalls.filter((c) => c.outcome === 'DOWN').length).toBeLessThanOrEqual(5 * (72 * 2 + 10));
        expect(new Set(f.afmCalls.map((c) => c.sentAt)).size).toBe(1); // the same signed body every time
      },
      { reader: false },
    );
  }, 240_000);

  it('waits for people only on a refusal a retry cannot fix, and sends again by itself once a restarted worker brings the fixed key', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', working);
    f.control.wrongKey = true;
    await withWorker(
      f.activities,
      async (submissions) => {
        const input = afmInput();
        const failed = f.journalled(input.submissionId, 'submission.failed');
        const handle = await submissions.startSubmission(input);
        await failed;
        const state = await handle.status();
        expect(state.status).toBe('FAILED');
        expect(state.failure?.type).toBe(ErrorType.CounterpartAuthFailed);
        const failedCalls = f.afmCalls.length;

        // Nothing more happens by itself while nothing changed.
        await env.sleep('6 hours');
        expect(f.afmCalls).toHaveLength(failedCalls);

        // An officer's retry with the key still wrong: FAILED again, one more request.
        const again = f.journalled(input.submissionId, 'submission.failed');
        await submissions.retrySubmission(input.submissionId, 'officer.aigerim');
        await again;
        expect((await handle.status()).status).toBe('FAILED');
        expect(f.afmCalls).toHaveLength(failedCalls + 1);

        // Ops fix AFM_SIGNING_KEY and restart the worker, which signals every FAILED submission (workers/main.ts).
        f.control.wrongKey = false;
        const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
        await env.client.workflow
          .getHandle(handle.workflowId)
          .signal(resumeSubmissionSignal, { reason: 'worker started' });
        await acknowledged;
        const sent = await handle.status();
        expect(sent.status).toBe('ACKNOWLEDGED');
        expect(f.events()).toContain('submission.resumed');
        const after = f.afmCalls.slice(failedCalls + 1);
        expect(after).toHaveLength(1);
        expect(after[0]).toMatchObject({ submissionId: input.submissionId, checkFirst: true, outcome: 'SENT' });

        // Signalled again (another worker starting): it is not FAILED any more, nothing is sent.
        await env.client.workflow
          .getHandle(handle.workflowId)
          .signal(resumeSubmissionSignal, { reason: 'worker started' });
        await env.sleep('1 minute');
        expect(f.afmCalls).toHaveLength(failedCalls + 2);
        const twice = await submissions.retrySubmission(input.submissionId, 'officer.aigerim').catch((e: unknown) => e);
        expect((twice as StepRejectedError).type).toBe(ErrorType.SubmissionStepRejected);
      },
      { reader: false },
    );
  });
});

describe('verdicts without per-submission polling (the e-government integration rules §47)', () => {
  it('reads the feed once per interval however many submissions wait, and sends no status request while their windows are open', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', workingWithNext);
    await withWorker(f.activities, async (submissions) => {
      const first = afmInput();
      const firstAck = f.journalled(first.submissionId, 'submission.acknowledged');
      await submissions.startSubmission(first);
      await firstAck;
      const t0 = await env.currentTimeMs();
      await env.sleep('1 hour');
      const t1 = await env.currentTimeMs();
      const readsWithOne = f.feedReads.filter((r) => r.atMs >= t0 && r.atMs < t1).length;

      const more = Array.from({ length: 20 }, () => afmInput());
      const acks = more.map((i) => f.journalled(i.submissionId, 'submission.acknowledged'));
      await Promise.all(more.map((i) => submissions.startSubmission(i)));
      await Promise.all(acks);
      const t2 = await env.currentTimeMs();
      await env.sleep('1 hour');
      const t3 = await env.currentTimeMs();
      const readsWithTwentyOne = f.feedReads.filter((r) => r.atMs >= t2 && r.atMs < t3).length;

      expect(readsWithOne).toBeGreaterThanOrEqual(55);
      expect(readsWithOne).toBeLessThanOrEqual(61);
      expect(Math.abs(readsWithTwentyOne - readsWithOne)).toBeLessThanOrEqual(1);
      expect(f.polls).toHaveLength(0);
      expect(f.afmCalls.filter((c) => c.outcome === 'SENT')).toHaveLength(21);
      for (const i of [first, ...more])
        expect((await submissions.getSubmission(i.submissionId)).status).toBe('ACKNOWLEDGED');
    });
  });

  it('takes a pushed rejection at once, ignores the same verdict read from the feed later, and journals a verdict for no open submission', async () => {
    const f = fakes();
    await withWorker(f.activities, async (submissions) => {
      const input = afmInput();
      const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
      const handle = await submissions.startSubmission(input);
      await acknowledged;
      const { receipt } = await handle.status();
      const rejectedAt = await env.currentTimeMs();
      const rejected = f.journalled(input.submissionId, 'submission.rejected');
      // What the API's callback endpoint does once AFM's signature and the submission are checked.
      await env.client.workflow.getHandle(handle.workflowId).signal(afmVerdictSignal, {
        channel: 'PUSH',
        verdictId: 'MSG-1',
        messageId: receipt!.messageId,
        code: 'IIN_UNKNOWN',
        reason: 'the IIN is not in the state register',
        rejectedAt: iso(rejectedAt),
      });
      await rejected;
      expect((await handle.status()).rejection).toMatchObject({
        code: 'IIN_UNKNOWN',
        source: 'VERDICT',
        channel: 'PUSH',
        verdictId: 'MSG-1',
      });

      // The feed carries the same verdict, and one for a submission nobody runs.
      f.publish(input.submissionId, receipt!.messageId, 'IIN_UNKNOWN', rejectedAt);
      f.publish('afm-nobody-sent-this', 'AFM-unknown', 'IIN_UNKNOWN', rejectedAt);
      await env.sleep('3 minutes');
      expect(f.undeliverable).toEqual(['afm-nobody-sent-this']);
      expect(f.events().filter((e) => e === 'submission.rejected')).toHaveLength(1);
      const state = await handle.status();
      expect(state.status).toBe('REJECTED');
      expect(state.rejection?.channel).toBe('PUSH');
      expect(f.polls).toHaveLength(0);
      // The reader went past both messages and keeps reading.
      const readsSoFar = f.feedReads.length;
      expect(f.feedReads.at(-1)!.after).toBe('2');
      await env.sleep('2 minutes');
      expect(f.feedReads.length).toBeGreaterThan(readsSoFar);
    });
  });
});

describe('ESU submissions', () => {
  it('starts a record ESU refused after money moved at REJECTED, and sends the correction to ESU once', async () => {
    const f = fakes();
    await withWorker(
      f.activities,
      async (submissions) => {
        const operationId = uniqueId('pay');
        const submissionId = firstSubmissionId('ESU', operationId);
        started.push(submissionId, `${submissionId}-r2`);
        const record: EsuOperationRequest = {
          operationId,
          kind: 'PAYOUT',
          iin: adultIin(),
          amountTiyn: 1_000_000,
          currency: 'KZT',
          occurredAt: '2026-12-10T12:00:00+05:00',
        };
        const rejectedAt = iso(await env.currentTimeMs());
        const rejection = f.journalled(submissionId, 'submission.rejected');
        const handle = await submissions.startSubmission({
          submissionId,
          operationId,
          operationKind: 'PAYOUT',
          bettorRef: 'b'.repeat(64),
          attempt: 1,
          payload: { counterpart: 'ESU', record },
          initialRejection: { code: 'LIMIT_EXCEEDED', reason: 'the payout exceeds the recorded winnings', rejectedAt },
        });
        await rejection;
        const state = await handle.status();
        expect(state).toMatchObject({
          status: 'REJECTED',
          rejection: { code: 'LIMIT_EXCEEDED', source: 'INITIAL', rejectedAt },
        });
        await env.sleep('2 hours');
        expect((await handle.status()).status).toBe('REJECTED');
        expect(f.esuCalls).toHaveLength(0);

        const otherOperation = await submissions
          .resubmitSubmission(
            submissionId,
            { counterpart: 'ESU', record: { ...record, operationId: 'another-op' } },
            'officer.aigerim',
          )
          .catch((e: unknown) => e);
        expect((otherOperation as StepRejectedError).type).toBe(ErrorType.InvalidInput);
        expect((otherOperation as Error).message).toContain('payload.record.operationId');

        const sent = f.sent(`${submissionId}-r2`);
        const acceptedLater = f.journalled(`${submissionId}-r2`, 'submission.accepted');
        const corrected = await submissions.resubmitSubmission(
          submissionId,
          { counterpart: 'ESU', record: { ...record, amountTiyn: 900_000 } },
          'officer.aigerim',
        );
        expect(corrected.correctedBy?.submissionId).toBe(`${submissionId}-r2`);
        await sent;
        await acceptedLater;
        const final = await submissions.getSubmission(`${submissionId}-r2`);
        expect(final).toMatchObject({
          status: 'ACCEPTED',
          counterpart: 'ESU',
          attempt: 2,
          correctsSubmissionId: submissionId,
        });
        expect(final.windowEndsAt).toBeUndefined();
        expect(f.esuCalls).toHaveLength(1);
        expect(f.esuCalls[0]).toMatchObject({
          submissionId: `${submissionId}-r2`,
          checkFirst: false,
          record: { operationId, amountTiyn: 900_000 },
        });
        expect(f.polls).toHaveLength(0);
      },
      { reader: false },
    );
  });
});
