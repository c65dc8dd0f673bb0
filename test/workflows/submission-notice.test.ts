import { describe, expect, it } from 'vitest';
import type { SendAfmSubmission } from '../../activities/afm.js';
import { createSubmissionCalendarActivities, type SubmissionRecord } from '../../activities/submissions.js';
import { createSubmissionClient } from '../../client/submissions.js';
import { StepRejectedError } from '../../client/identification.js';
import { ErrorType } from '../../domain/errors.js';
import { parseMaintenanceWindows } from '../../domain/maintenance.js';
import { firstSubmissionId, type SubmissionInput, type SubmissionReceipt } from '../../domain/submission.js';
import type { RecordWrittenNotice } from '../../domain/submission-notice.js';
import { addDays, localDate, officerDueAt } from '../../domain/working-days.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { endWorkflows, env, useTimeSkipping, withWorker as withFakes } from '../support/workflows.js';
import {
  afmSubmissionInput,
  calendar,
  HOUR,
  iso,
  MIN,
  working,
  type SubmissionActivities,
  travelToNext,
  workingWithNext,
} from './submission-fakes.js';

/**
 * AFM's written notice (AFM order No. 9, item 5(3)) with the time-skipping server: recorded on a waiting
 * submission, on one whose workflow closed ACCEPTED (a new run of the same id), twice (idempotent), and refused
 * where it does not belong. The counterparts are typed fakes; the calendar is the shipped one.
 */
type Activities = SubmissionActivities;

const policy = { pollIntervalMs: HOUR, outageDeadlineMs: 3 * HOUR, retryPauseMs: 5 * MIN, reminderFraction: 0.5 };

// A test server per test: each travels to its own time of day, and one left behind by the previous test's reopened
// workflows could hold time skipping for the next.
useTimeSkipping({ logLevel: 'ERROR', server: 'per-test' });

function fakes() {
  const afmCalls: (SendAfmSubmission & { atMs: number })[] = [];
  const polls: number[] = [];
  const records: SubmissionRecord[] = [];
  const recorded = new Map<string, () => void>();
  let sequence = 0;
  const activities: Activities = {
    ...createSubmissionCalendarActivities({
      calendar: async () => calendar,
      maintenance: parseMaintenanceWindows('off'),
      policy,
    }),
    recordSubmission: async (record) => {
      records.push(record);
      recorded.get(`${record.state.submissionId} ${record.entry.event}`)?.();
    },
    sendAfmSubmission: async (request) => {
      const atMs = await env.currentTimeMs();
      afmCalls.push({ ...request, atMs });
      sequence += 1;
      const receipt: SubmissionReceipt = {
        messageId: `AFM-${sequence}`,
        acceptedAt: iso(atMs),
        sentAt: iso(atMs),
        receivedAt: iso(atMs),
        final: false,
      };
      return receipt;
    },
    getAfmVerdict: async ({ messageId }) => {
      polls.push(await env.currentTimeMs());
      return { messageId, status: 'ACCEPTED_FOR_PROCESSING' };
    },
    readAfmMessages: async () => ({ messages: [], hasMore: false }),
    sendEsuSubmission: async ({ submissionId }) => {
      const at = iso(await env.currentTimeMs());
      return { messageId: `ESU-${submissionId}`, acceptedAt: at, sentAt: at, receivedAt: at, final: true };
    },
  };
  return {
    activities,
    afmCalls,
    polls,
    records,
    events: (submissionId: string) =>
      records.filter((r) => r.state.submissionId === submissionId).map((r) => r.entry.event),
    journalled: (submissionId: string, event: string) =>
      new Promise<void>((resolve) => recorded.set(`${submissionId} ${event}`, resolve)),
  };
}

const started: string[] = [];

async function withWorker<T>(
  activities: Activities,
  fn: (submissions: ReturnType<typeof createSubmissionClient>) => Promise<T>,
): Promise<T> {
  return withFakes(activities, async (taskQueue) => {
    try {
      return await fn(createSubmissionClient({ client: env.client, taskQueue }));
    } finally {
      await env.sleep('1 second');
      await endWorkflows(started.splice(0).map((id) => `Submission:${id}`));
    }
  });
}

function afmInput(): SubmissionInput {
  const input = afmSubmissionInput();
  started.push(input.submissionId, `${input.submissionId}-r2`);
  return input;
}

const scan = { sha256: 'c'.repeat(64), mediaType: 'application/pdf' as const, bytes: 48_213 };
const notice = (noticeDate: string, afmReference = `04-2/${uniqueId('n')}`): RecordWrittenNotice => ({
  afmReference,
  noticeDate,
  reason: 'The IIN in the record is not in the state register of legal entities and individuals.',
  scan,
  actor: 'officer.aigerim',
});

describe('AFM’s written notice (AFM order No. 9, item 5(3))', () => {
  it('reopens a submission whose workflow closed ACCEPTED; its correction is sent to AFM once', async () => {
    const f = fakes();
    await travelToNext('10:00', (d) => working(d) && working(addDays(d, 1)) && working(addDays(d, 2)));
    await withWorker(f.activities, async (submissions) => {
      const input = afmInput();
      const handle = await submissions.startSubmission(input);
      const accepted = await handle.result();
      expect(accepted.status).toBe('ACCEPTED');
      const firstRunId = (await env.client.workflow.getHandle(handle.workflowId).describe()).runId;

      // The letter comes a working day after the window closed, dated that morning.
      const letterDay = localDate(await env.currentTimeMs(), calendar);
      const noticeDate = `${letterDay}T09:30:00+05:00`;
      const n = notice(noticeDate);
      const reopened = await submissions.recordWrittenNotice(input.submissionId, n);
      expect(reopened).toMatchObject({
        status: 'REJECTED',
        rejection: { code: 'AFM_WRITTEN_NOTICE', source: 'NOTICE', rejectedAt: noticeDate, reason: n.reason },
      });
      expect(reopened.acceptedAt).toBe(accepted.acceptedAt);
      expect(Date.parse(reopened.officerDueAt!)).toBe(officerDueAt(Date.parse(noticeDate), calendar));
      expect(reopened.writtenNotices).toEqual([
        expect.objectContaining({ afmReference: n.afmReference, recordedBy: 'officer.aigerim', scan }),
      ]);
      expect(reopened.revision).toBeGreaterThan(accepted.revision);
      const description = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(description.runId).not.toBe(firstRunId);
      expect(description.status.name).toBe('RUNNING');
      // Journalled with the officer as actor, and the record was not sent again.
      const journal = f.records.filter(
        (r) =>
          r.state.submissionId === input.submissionId &&
          ['submission.written-notice', 'submission.rejected'].includes(r.entry.event),
      );
      expect(journal.map((r) => [r.entry.event, r.entry.actor])).toEqual([
        ['submission.written-notice', 'officer.aigerim'],
        ['submission.rejected', 'officer.aigerim'],
      ]);
      expect(f.afmCalls.filter((c) => c.submissionId === input.submissionId)).toHaveLength(1);

      // The correction runs as today: -r2, linked, sent once however often asked.
      const corrected = { counterpart: 'AFM' as const, record: { ...input.payload.record, iin: adultIin() } };
      const [a, b] = await Promise.all([
        submissions.resubmitSubmission(input.submissionId, corrected, 'officer.aigerim'),
        submissions.resubmitSubmission(input.submissionId, corrected, 'officer.daniyar'),
      ]);
      expect(a.correctedBy?.submissionId).toBe(`${input.submissionId}-r2`);
      expect(b.correctedBy).toEqual(a.correctedBy);
      await env.sleep('1 minute');
      const child = await submissions.getSubmission(`${input.submissionId}-r2`);
      expect(child).toMatchObject({ attempt: 2, correctsSubmissionId: input.submissionId, status: 'ACKNOWLEDGED' });
      expect(f.afmCalls.filter((c) => c.submissionId === `${input.submissionId}-r2`)).toHaveLength(1);
      // The handle of the first run still reads ACCEPTED; the workflow id's latest run ends CORRECTED.
      expect((await handle.result()).status).toBe('ACCEPTED');
      expect((await env.client.workflow.getHandle(handle.workflowId).result()).status).toBe('CORRECTED');

      // The same letter recorded again after the correction: the same answer, nothing new.
      const again = await submissions.recordWrittenNotice(input.submissionId, n);
      expect(again.status).toBe('CORRECTED');
      expect(again.writtenNotices).toHaveLength(1);
      // A new letter on a corrected submission is refused, naming the field.
      const late = await submissions
        .recordWrittenNotice(input.submissionId, notice(noticeDate))
        .catch((e: unknown) => e);
      expect(late).toBeInstanceOf(StepRejectedError);
      expect((late as StepRejectedError).type).toBe(ErrorType.SubmissionStepRejected);
      expect((late as Error).message).toMatch(/submissionId: .* is already CORRECTED/);
      expect(f.afmCalls).toHaveLength(2);
    });
  });

  it('rejects a waiting submission at once: no status check at the window’s end, due date from the notice’s date', async () => {
    const f = fakes();
    const start = await travelToNext('10:00', workingWithNext);
    await withWorker(f.activities, async (submissions) => {
      const input = afmInput();
      const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
      const handle = await submissions.startSubmission(input);
      await acknowledged;
      await env.sleep('3 hours');
      expect((await handle.status()).status).toBe('ACKNOWLEDGED');

      const noticeDate = localDate(start, calendar); // the letter is dated by day only
      const rejected = await submissions.recordWrittenNotice(input.submissionId, notice(noticeDate));
      expect(rejected).toMatchObject({
        status: 'REJECTED',
        rejection: { source: 'NOTICE', rejectedAt: `${noticeDate}T00:00:00+05:00` },
      });
      expect(Date.parse(rejected.officerDueAt!)).toBe(
        officerDueAt(Date.parse(`${noticeDate}T00:00:00+05:00`), calendar),
      );
      // A waiting submission asks AFM nothing (its verdict comes by signal); the notice changes nothing there.
      const pollsAtNotice = f.polls.length;
      expect(pollsAtNotice).toBe(0);

      // Past the window's end: still REJECTED, never ACCEPTED, and AFM was not asked again.
      await env.sleep('3 days');
      const later = await handle.status();
      expect(later.status).toBe('REJECTED');
      expect(later.acceptedAt).toBeUndefined();
      expect(f.polls).toHaveLength(pollsAtNotice);
      expect(f.events(input.submissionId)).toEqual(
        expect.arrayContaining([
          'submission.written-notice',
          'submission.rejected',
          'submission.reminder',
          'submission.escalated',
        ]),
      );
      expect(f.events(input.submissionId)).not.toContain('submission.accepted');
    });
  });

  it('records the same notice twice, even at once, as one; refuses a notice where it does not belong, naming the field', async () => {
    const f = fakes();
    await withWorker(f.activities, async (submissions) => {
      const input = afmInput();
      const acknowledged = f.journalled(input.submissionId, 'submission.acknowledged');
      await submissions.startSubmission(input);
      await acknowledged;
      const today = new Date(await env.currentTimeMs()).toISOString();
      const n = notice(today);
      const [a, b] = await Promise.all([
        submissions.recordWrittenNotice(input.submissionId, n),
        submissions.recordWrittenNotice(input.submissionId, n),
      ]);
      const c = await submissions.recordWrittenNotice(input.submissionId, {
        ...n,
        reason: 'typed again, differently',
        actor: 'officer.daniyar',
      });
      for (const state of [a, b, c]) {
        expect(state.status).toBe('REJECTED');
        expect(state.writtenNotices).toHaveLength(1);
        expect(state.writtenNotices![0]).toMatchObject({ recordedBy: 'officer.aigerim', reason: n.reason });
      }
      expect(f.events(input.submissionId).filter((e) => e === 'submission.written-notice')).toHaveLength(1);
      expect(f.events(input.submissionId).filter((e) => e === 'submission.rejected')).toHaveLength(1);

      // A second letter on a rejected submission joins the file; the due date stays the first one's.
      const second = await submissions.recordWrittenNotice(input.submissionId, notice(today));
      expect(second.writtenNotices).toHaveLength(2);
      expect(second.officerDueAt).toBe(a.officerDueAt);

      const future = await submissions
        .recordWrittenNotice(input.submissionId, notice(iso((await env.currentTimeMs()) + 3 * 24 * HOUR)))
        .catch((e: unknown) => e);
      expect((future as StepRejectedError).type).toBe(ErrorType.InvalidInput);
      expect((future as Error).message).toContain('noticeDate');

      const badField = await submissions
        .recordWrittenNotice(input.submissionId, { ...n, afmReference: '' })
        .catch((e: unknown) => e);
      expect((badField as Error).message).toContain('afmReference');

      // An ESU submission is not AFM's to refuse in writing.
      const operationId = uniqueId('pay');
      const esuId = firstSubmissionId('ESU', operationId);
      started.push(esuId, `${esuId}-r2`);
      const esuRejected = f.journalled(esuId, 'submission.rejected');
      await submissions.startSubmission({
        submissionId: esuId,
        operationId,
        operationKind: 'PAYOUT',
        bettorRef: 'b'.repeat(64),
        attempt: 1,
        payload: {
          counterpart: 'ESU',
          record: {
            operationId,
            kind: 'PAYOUT',
            iin: adultIin(),
            amountTiyn: 1_000_000,
            currency: 'KZT',
            occurredAt: '2026-12-10T12:00:00+05:00',
          },
        },
        initialRejection: {
          code: 'LIMIT_EXCEEDED',
          reason: 'the payout exceeds the recorded winnings',
          rejectedAt: today,
        },
      });
      await esuRejected;
      const esu = await submissions.recordWrittenNotice(esuId, notice(today)).catch((e: unknown) => e);
      expect(esu).toBeInstanceOf(StepRejectedError);
      expect((esu as StepRejectedError).type).toBe(ErrorType.InvalidInput);
      expect((esu as Error).message).toContain(`submissionId: ${esuId} is an ESU submission`);
    });
  });
});
