import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { AfmActivities, SendAfmSubmission } from '../../activities/afm.js';
import type { DetectorActivities } from '../../activities/detectors.js';
import type { EsuSubmissionActivities, SendEsuSubmission } from '../../activities/esu-submissions.js';
import type { IncidentDeliveryActivities } from '../../activities/incident-delivery.js';
import type { IncidentRecord, IncidentStoreActivities } from '../../activities/incidents.js';
import {
  createSubmissionCalendarActivities,
  type SubmissionPolicy,
  type SubmissionRecord,
  type SubmissionStoreActivities,
} from '../../activities/submissions.js';
import type { VerdictStoreActivities } from '../../activities/verdicts.js';
import { createSubmissionClient } from '../../client/submissions.js';
import { DEFAULT_WORKING_DAY_CALENDAR } from '../../config/index.js';
import { classifyExchange, minuteOf, type MinuteBucket } from '../../domain/availability.js';
import { unreachableTrip, type DetectorSettings } from '../../domain/detectors.js';
import { ErrorType } from '../../domain/errors.js';
import { parseMaintenanceWindows, type MaintenanceConfig } from '../../domain/maintenance.js';
import { firstSubmissionId, type SubmissionInput, type SubmissionReceipt } from '../../domain/submission.js';
import type { AfmSubmissionStatus, AfmVerdictMessage } from '../../domain/wire/afm.js';
import type { EsuOperationRequest } from '../../domain/wire/esu.js';
import { addDays, compileCalendar, isWorkingDay, localDate, startOfLocalDay } from '../../domain/working-days.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { endWorkflows, env, withWorker } from '../support/workflows.js';
import { verdictReader } from '../../workflows/verdict-reader.js';

export type SubmissionActivities = AfmActivities &
  EsuSubmissionActivities &
  SubmissionStoreActivities &
  ReturnType<typeof createSubmissionCalendarActivities>;

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** The real calendar file: the holidays these tests count are the ones ops ship. */
export const calendar = compileCalendar(JSON.parse(readFileSync(DEFAULT_WORKING_DAY_CALENDAR, 'utf8')));
export const working = (date: string) => isWorkingDay(date, calendar);
export const iso = (ms: number) => new Date(ms).toISOString();

/** `hh:mm` local time (UTC+5) on a local date. */
export const localTime = (date: string, hhmm: string) =>
  startOfLocalDay(date, calendar) + Number(hhmm.slice(0, 2)) * HOUR + Number(hhmm.slice(3)) * MIN;

/** The first `hh:mm` at least an hour ahead of the test server's clock on a day that satisfies `ok`. */
export async function nextLocal(hhmm: string, ok: (date: string) => boolean): Promise<number> {
  const now = await env.currentTimeMs();
  for (let date = localDate(now, calendar); ; date = addDays(date, 1)) {
    const at = localTime(date, hhmm);
    if (at > now + HOUR && ok(date)) return at;
    if (date > '2027-12-31')
      throw new Error('no such day left in config/calendar/kz-working-days.json: add the next year');
  }
}

/** Skips the test server's clock forward to `ms` (not back). */
export async function travelTo(ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (ms > now) await env.sleep(ms - now);
}

/** Skips the test server's clock to `nextLocal(hhmm, ok)` and answers that instant. */
export async function travelToNext(hhmm: string, ok: (date: string) => boolean): Promise<number> {
  const at = await nextLocal(hhmm, ok);
  await travelTo(at);
  return at;
}

/** A day on which a window of one working day opens and closes: it and the next are working days. */
export const workingWithNext = (date: string) => working(date) && working(addDays(date, 1));

/** A deposit's AFM submission, first attempt, as the deposit saga starts it. */
export function afmSubmissionInput(overrides: Partial<SubmissionInput> = {}): SubmissionInput {
  const operationId = uniqueId('dep');
  return {
    submissionId: firstSubmissionId('AFM', operationId),
    operationId,
    operationKind: 'DEPOSIT',
    bettorRef: 'a'.repeat(64),
    attempt: 1,
    payload: {
      counterpart: 'AFM',
      record: { iin: adultIin(), receivedAt: '2026-12-04T18:55:00+05:00', receivedTiyn: 250_000 },
    },
    ...overrides,
  };
}

/** A counterpart's receipt of a record it took at `atMs`: AFM's is not `final` (its verdict comes later), ESU's is. */
const receiptAt = (messageId: string, atMs: number, final: boolean): SubmissionReceipt => ({
  messageId,
  acceptedAt: iso(atMs),
  sentAt: iso(atMs),
  receivedAt: iso(atMs),
  final,
});

/** The submissions' journal as a fake store keeps it: every record in order, and a wait for any one event. */
function submissionJournal() {
  const records: SubmissionRecord[] = [];
  const recorded = new Map<string, () => void>();
  return {
    records,
    recordSubmission: async (record: SubmissionRecord) => {
      records.push(record);
      recorded.get(`${record.state.submissionId} ${record.entry.event}`)?.();
    },
    /** Resolves when the submission journals this event. */
    journalled: (submissionId: string, event: string) =>
      new Promise<void>((resolve) => recorded.set(`${submissionId} ${event}`, resolve)),
  };
}

/**
 * The workflows a test leaves open, by workflow id: ended after the test, once the last step has settled, since a
 * task cut off mid-flight or a timer left running holds time skipping.
 */
export function leftOpen() {
  const workflowIds: string[] = [];
  /** A submission's input, remembered with the id its correction would take. */
  const remember = <I extends SubmissionInput>(input: I): I => {
    workflowIds.push(`Submission:${input.submissionId}`, `Submission:${input.submissionId}-r2`);
    return input;
  };
  return {
    workflowIds,
    remember,
    /** A deposit's AFM submission (`afmSubmissionInput`), remembered. */
    afmInput: (overrides: Partial<SubmissionInput> = {}): SubmissionInput => remember(afmSubmissionInput(overrides)),
    /** Lets whatever the last step set off (a local activity, a workflow task) finish, then ends every one. */
    async end(): Promise<void> {
      await env.sleep('1 second');
      await endWorkflows(workflowIds.splice(0));
    },
  };
}

/** How often the workers' verdict reader reads AFM's feed in these tests. */
export const VERDICT_FETCH_INTERVAL = MIN;

/**
 * Runs `fn` with the submissions' client on a worker of the fakes `f`, its own task queue, and with `reader` the
 * worker's verdict reader (workers/main.ts starts one per counterpart: the only reader of AFM's feed). What the test
 * left open (children too) is ended while the worker still runs (`leftOpen`).
 */
export async function withSubmissionWorker<T>(
  { activities, open }: Pick<ReturnType<typeof submissionFakes>, 'activities' | 'open'>,
  fn: (submissions: SubmissionClient, taskQueue: string) => Promise<T>,
  { reader = false } = {},
): Promise<T> {
  return withWorker(activities, async (taskQueue) => {
    const readerId = uniqueId('VerdictReader');
    if (reader)
      await env.client.workflow.start(verdictReader, {
        taskQueue,
        workflowId: readerId,
        args: [{ counterpart: 'AFM', intervalMs: VERDICT_FETCH_INTERVAL, pageSize: 100 }],
      });
    try {
      return await fn(createSubmissionClient({ client: env.client, taskQueue }), taskQueue);
    } finally {
      if (reader) await endWorkflows([readerId]);
      await open.end();
    }
  });
}

type SubmissionClient = ReturnType<typeof createSubmissionClient>;

/** The submissions' policy in these tests: a status check an hour, an outage deadline of 3 hours, capped backoff. */
const SUBMISSION_POLICY: SubmissionPolicy = {
  pollIntervalMs: HOUR,
  outageDeadlineMs: 3 * HOUR,
  retryPauseMs: 5 * MIN,
  retryPauseMaxMs: 30 * MIN,
  reminderFraction: 0.5,
};

/** A minute's counts before any exchange (`MinuteBucket` without its minute). */
const NO_EXCHANGES = { ok: 0, clientErrors: 0, authFailures: 0, serverErrors: 0, networkErrors: 0 };

/**
 * Typed fakes of the counterparts and the store for the submission's own tests; the calendar activities are the real
 * ones over the shipped calendar file. Every counterpart call is stamped with the server's (skipped) time. AFM
 * acknowledges each record (`refuse` a submission id, `control` an outage or a wrong key) and publishes what the
 * test tells it to on its feed. What the test starts (`afmInput`, `start`) and an incident the detector opens are
 * remembered in `open`, for the worker to end after the test.
 */
export function submissionFakes({ maintenance }: { maintenance: MaintenanceConfig }) {
  const open = leftOpen();
  const afmCalls: (SendAfmSubmission & { atMs: number; outcome: 'SENT' | 'FOUND' | 'DOWN' | 'REFUSED' })[] = [];
  const esuCalls: (SendEsuSubmission & { atMs: number })[] = [];
  const polls: { messageId: string; atMs: number }[] = [];
  const landed = new Map<string, SubmissionReceipt>();
  const verdicts = new Map<string, AfmSubmissionStatus>();
  const journal = submissionJournal();
  const refuse = new Set<string>();
  const waiting = new Map<string, () => void>();
  const control = { down: (_atMs: number) => false, wrongKey: false };
  /** AFM's messages feed: the verdicts it published, in order; and every read of it. */
  const feed: AfmVerdictMessage[] = [];
  const feedReads: { after?: string; atMs: number }[] = [];
  const cursors: string[] = [];
  const undeliverable: string[] = [];
  const incidents: IncidentRecord[] = [];
  let sequence = 0;
  const activities: SubmissionActivities &
    VerdictStoreActivities &
    DetectorActivities &
    IncidentStoreActivities &
    IncidentDeliveryActivities = {
    ...createSubmissionCalendarActivities({ calendar: async () => calendar, maintenance, policy: SUBMISSION_POLICY }),
    recordSubmission: journal.recordSubmission,
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
      const receipt = receiptAt(`AFM-${sequence}`, atMs, false);
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
        const minuteMs = minuteOf(call.atMs);
        const b = buckets.get(minuteMs) ?? { minuteMs, ...NO_EXCHANGES };
        // What CounterpartClient's observer counts: a 503 for a send in an outage, a 200 for any answer.
        b[classifyExchange(call.outcome === 'DOWN' ? 503 : 200)] += 1;
        buckets.set(minuteMs, b);
      }
      const trip = unreachableTrip('AFM', [...buckets.values()], [], nowMs, settings);
      return trip && !incidents.some((r) => r.entry.event === 'incident.opened') ? [trip] : [];
    },
    recordIncident: async (r) => {
      incidents.push(r);
      if (r.entry.event === 'incident.opened') open.workflowIds.push(`Incident:${r.state.incidentId}`);
    },
    alertIncident: async () => undefined,
    deliverIncidentCard: async () => {
      throw new Error('not expected');
    },
    sendEsuSubmission: async (request) => {
      const atMs = await env.currentTimeMs();
      esuCalls.push({ ...request, atMs });
      waiting.get(request.submissionId)?.();
      return receiptAt(`ESU-${esuCalls.length}`, atMs, true);
    },
  };
  return {
    activities,
    open,
    afmInput: open.afmInput,
    afmCalls,
    esuCalls,
    polls,
    landed,
    verdicts,
    records: journal.records,
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
    /** The events journalled, in order: all, or one submission's. */
    events: (submissionId?: string) =>
      journal.records.filter((r) => !submissionId || r.state.submissionId === submissionId).map((r) => r.entry.event),
    journalled: journal.journalled,
    /** Resolves when a record under this submission id reaches the counterpart. */
    sent: (submissionId: string) => new Promise<void>((resolve) => waiting.set(submissionId, resolve)),
    /**
     * Starts a submission, a deposit's AFM one unless `input` is given (refused by AFM with `refused`); `reached`
     * resolves once it journals `event`.
     */
    async start<I extends SubmissionInput = SubmissionInput>(
      submissions: SubmissionClient,
      event: string,
      { refused = false, ...given }: { refused?: boolean; input?: I } = {},
    ) {
      const input = given.input ? open.remember(given.input) : (open.afmInput() as I);
      if (refused) refuse.add(input.submissionId);
      const reached = journal.journalled(input.submissionId, event);
      return { input, handle: await submissions.startSubmission(input), reached };
    },
    /** `start`, answering once the submission has journalled `event`. */
    async startUntil<I extends SubmissionInput = SubmissionInput>(
      submissions: SubmissionClient,
      event: string,
      options: { refused?: boolean; input?: I } = {},
    ) {
      const { reached, ...started } = await this.start(submissions, event, options);
      await reached;
      return started;
    },
  };
}

/** A payout's record that ESU refused after the money moved, as the payout saga hands it to its ESU submission. */
export function esuRefusedInput(rejectedAt: string) {
  const operationId = uniqueId('pay');
  const record: EsuOperationRequest = {
    operationId,
    kind: 'PAYOUT',
    iin: adultIin(),
    amountTiyn: 1_000_000,
    currency: 'KZT',
    occurredAt: '2026-12-10T12:00:00+05:00',
  };
  return {
    submissionId: firstSubmissionId('ESU', operationId),
    operationId,
    operationKind: 'PAYOUT',
    bettorRef: 'b'.repeat(64),
    attempt: 1,
    payload: { counterpart: 'ESU' as const, record },
    initialRejection: { code: 'LIMIT_EXCEEDED', reason: 'the payout exceeds the recorded winnings', rejectedAt },
  } satisfies SubmissionInput;
}

/**
 * Counterparts that accept every submission, for saga tests: a completed deposit or payout starts its AFM
 * submission on the same worker, and a submission whose activities are missing would hold the time-skipping
 * server's clock. The sagas' tests assert what the saga asked for (the child's input), not these.
 */
export function acceptingSubmissionActivities(): SubmissionActivities {
  return {
    ...createSubmissionCalendarActivities({
      calendar: async () => calendar,
      maintenance: parseMaintenanceWindows('off'),
      policy: {
        pollIntervalMs: 3_600_000,
        outageDeadlineMs: 3 * 3_600_000,
        retryPauseMs: 300_000,
        reminderFraction: 0.5,
      },
    }),
    recordSubmission: async () => undefined,
    sendAfmSubmission: async ({ submissionId }) => receiptAt(`AFM-${submissionId}`, Date.now(), false),
    getAfmVerdict: async ({ messageId }) => ({ messageId, status: 'ACCEPTED_FOR_PROCESSING' }),
    readAfmMessages: async () => ({ messages: [], hasMore: false }),
    sendEsuSubmission: async ({ submissionId }) => receiptAt(`ESU-${submissionId}`, Date.now(), true),
  };
}
