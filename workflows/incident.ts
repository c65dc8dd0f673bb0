import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { rootMessage } from './failures.js';
import type { z } from 'zod';
import type { IncidentStoreActivities } from '../activities/incidents.js';
import type { IncidentDeliveryActivities } from '../activities/incident-delivery.js';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { amendCard, cardProblems, futureDetectionProblem, IncidentCard } from '../domain/incident.js';
import { cardDueAtMs, formatTimeLeft, nextCheckpoint, type Checkpoint } from '../domain/incident-deadlines.js';
import {
  AmendIncident,
  CloseIncident,
  IncidentStatus,
  INCIDENT_RECEIVERS,
  OpenIncident,
  SubmitIncident,
  type IncidentState,
  type IncidentSubmission,
  type IncidentTimelineEntry,
} from '../domain/incident-state.js';
import { IncidentStatusKey } from '../domain/search-attributes.js';
import { failureType } from './failures.js';

export const getIncidentStatusQuery = defineQuery<IncidentState>('getStatus');
export const amendIncidentUpdate = defineUpdate<IncidentState, [AmendIncident]>('amendIncident');
export const submitIncidentUpdate = defineUpdate<IncidentState, [SubmitIncident]>('submitIncident');
export const closeIncidentUpdate = defineUpdate<IncidentState, [CloseIncident]>('closeIncident');

const store = proxyLocalActivities<IncidentStoreActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});
const alerts = proxyActivities<IncidentStoreActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});
const delivery = proxyActivities<IncidentDeliveryActivities>({
  startToCloseTimeout: '30 seconds', // the e-government integration rules: a synchronous answer within 30 s; the acknowledgement is one
  // Reports wait out maintenance windows (the e-government integration rules, item 48: nights and weekends) instead of failing: keep trying
  // for a week, then SUBMISSION_FAILED for an officer to retry. The 48-hour escalation does not wait for this.
  scheduleToCloseTimeout: '7 days',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

/** How long the submit update waits for both acknowledgements before answering "still on its way". */
export const SUBMIT_ANSWER_WAIT = '20 seconds';

const iso = (ms: number) => new Date(ms).toISOString();
const rejected = (type: ErrorType, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw rejected(ErrorType.InvalidInput, `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

/**
 * One information-security incident, one card (National Bank resolution No. 116, item 65). The card must reach the e-money operator and
 * ЦМААИ within 48 hours of *detection*; reminders fire at configured points before that, and when it passes
 * unsent the incident is escalated (it still accepts the late card). Ops fill and amend the card by updates;
 * submission validates every mandatory row first (p.55(3)), then delivers to both receivers in parallel,
 * collecting each receiver's receipt or error. Every step goes to the incident journal (p.64).
 * The workflow ends when an officer closes the incident; its history stays small, so no continue-as-new.
 */
export async function incident(rawInput: OpenIncident): Promise<IncidentState> {
  const input = parsed(OpenIncident, rawInput);
  const { workflowId, runId } = workflowInfo();
  const openedAtMs = Date.now();
  const future = futureDetectionProblem(input.card.detectedAt, openedAtMs);
  if (future && patched('detection-not-in-future'))
    throw rejected(ErrorType.InvalidInput, `card.detectedAt: ${future}`);
  const detectedAtMs = () => Date.parse(state.card.detectedAt);
  const state: IncidentState = {
    incidentId: input.incidentId,
    status: IncidentStatus.Open,
    card: input.card,
    version: 1,
    problems: cardProblems(input.card),
    origin: input.origin,
    openedBy: input.openedBy,
    openedAt: iso(openedAtMs),
    dueAt: iso(cardDueAtMs(Date.parse(input.card.detectedAt))),
    internalTargetAt: iso(Date.parse(input.card.detectedAt) + input.timing.internalTargetMs),
    submissions: [],
    remindersSent: [],
    timeline: [],
  };
  let revision = 0;
  let pending: { submission: IncidentSubmission; card: IncidentCard } | undefined;
  const fired = new Set<string>();
  let scheduledAtMs = openedAtMs;
  let scheduleRevision = 0;
  let statusInVisibility: string = IncidentStatus.Open;

  async function record(
    event: string,
    actor: string,
    result: IncidentTimelineEntry['result'],
    detail?: string,
    details?: Record<string, unknown>,
  ) {
    const startedAtMs = Date.now();
    revision += 1;
    state.timeline.push({ at: iso(startedAtMs), event, actor, result, ...(detail ? { detail } : {}) });
    if (state.status !== statusInVisibility) {
      upsertSearchAttributes([{ key: IncidentStatusKey, value: state.status }]);
      statusInVisibility = state.status;
    }
    const snapshot = JSON.parse(JSON.stringify(state)) as IncidentState;
    await store.recordIncident({
      workflowId,
      revision,
      state: snapshot,
      entry: {
        event,
        actor,
        result,
        startedAtMs,
        dedupeKey: `${workflowId}:${runId}:${revision}`,
        details: { detail, ...details },
      },
    });
  }

  setHandler(getIncidentStatusQuery, () => state);

  setHandler(
    amendIncidentUpdate,
    async (cmd) => {
      const { patch, amendedBy } = parsed(AmendIncident, cmd);
      const earlier = patch.detectedAt !== undefined && Date.parse(patch.detectedAt) < detectedAtMs();
      state.card = amendCard(state.card, patch);
      state.version += 1;
      state.problems = cardProblems(state.card);
      if (earlier) {
        state.dueAt = iso(cardDueAtMs(detectedAtMs()));
        state.internalTargetAt = iso(detectedAtMs() + input.timing.internalTargetMs);
        scheduledAtMs = Date.now();
        scheduleRevision += 1;
      }
      await record('incident.amended', amendedBy, 'OK', `version ${state.version}: ${Object.keys(patch).join(', ')}`, {
        rows: Object.keys(patch),
      });
      return state;
    },
    {
      validator: (cmd) => {
        const { patch } = parsed(AmendIncident, cmd);
        if (state.status === IncidentStatus.Closed)
          throw rejected(ErrorType.IncidentStepRejected, 'the incident is closed');
        if (patch.detectedAt !== undefined && Date.parse(patch.detectedAt) > detectedAtMs()) {
          throw rejected(
            ErrorType.IncidentStepRejected,
            'the detection time may only move earlier: the 48 hours count from the first detection',
          );
        }
      },
    },
  );

  setHandler(
    submitIncidentUpdate,
    async (cmd) => {
      const { submittedBy } = parsed(SubmitIncident, cmd);
      const last = state.submissions.at(-1);
      let submission: IncidentSubmission;
      if (last && last.version === state.version) {
        submission = last; // a retry of the same version: receivers that already acknowledged are not sent it again
        submission.errors = {};
      } else {
        submission = {
          version: state.version,
          phase: state.firstDeliveredAt ? 'UPDATE' : 'INITIAL',
          requestedBy: submittedBy,
          requestedAt: iso(Date.now()),
          receipts: {},
          errors: {},
        };
        state.submissions.push(submission);
      }
      pending = { submission, card: IncidentCard.parse(state.card) };
      state.status = IncidentStatus.Submitting;
      await record(
        'incident.submission-requested',
        submittedBy,
        'OK',
        `version ${submission.version} (${submission.phase})`,
      );
      // Answer with the receivers' verdict when it comes quickly; otherwise the card keeps going in the background.
      await condition(() => pending?.submission !== submission, SUBMIT_ANSWER_WAIT);
      return state;
    },
    {
      validator: (cmd) => {
        parsed(SubmitIncident, cmd);
        if (state.status === IncidentStatus.Closed)
          throw rejected(ErrorType.IncidentStepRejected, 'the incident is closed');
        if (state.status === IncidentStatus.Submitting)
          throw rejected(ErrorType.IncidentStepRejected, 'a submission is already on its way');
        if (state.problems.length)
          throw rejected(ErrorType.IncidentCardIncomplete, `the card is incomplete: ${state.problems.join('; ')}`);
        const last = state.submissions.at(-1);
        if (last?.version === state.version && last.completedAt) {
          throw rejected(
            ErrorType.IncidentStepRejected,
            `version ${state.version} has already been delivered; amend the card to send an update`,
          );
        }
      },
    },
  );

  setHandler(
    closeIncidentUpdate,
    async (cmd) => {
      const { closedBy, note } = parsed(CloseIncident, cmd);
      state.status = IncidentStatus.Closed;
      state.closedAt = iso(Date.now());
      state.closedBy = closedBy;
      await record('incident.closed', closedBy, 'OK', note);
      return state;
    },
    {
      validator: (cmd) => {
        parsed(CloseIncident, cmd);
        if (state.status === IncidentStatus.Closed)
          throw rejected(ErrorType.IncidentStepRejected, 'the incident is already closed');
        if (state.status === IncidentStatus.Submitting)
          throw rejected(ErrorType.IncidentStepRejected, 'a submission is on its way: close it once delivered');
        if (!state.firstDeliveredAt)
          throw rejected(ErrorType.IncidentStepRejected, 'the card has not reached the operator and ЦМААИ yet');
      },
    },
  );

  async function deliver({ submission, card }: { submission: IncidentSubmission; card: IncidentCard }): Promise<void> {
    const receivers = INCIDENT_RECEIVERS.filter((receiver) => !submission.receipts[receiver]);
    const outcomes = await Promise.allSettled(
      receivers.map((receiver) =>
        delivery.deliverIncidentCard({
          receiver,
          incidentId: state.incidentId,
          version: submission.version,
          phase: submission.phase,
          sentAt: submission.requestedAt,
          card,
        }),
      ),
    );
    outcomes.forEach((outcome, i) => {
      const receiver = receivers[i]!;
      if (outcome.status === 'fulfilled') submission.receipts[receiver] = outcome.value;
      else
        submission.errors[receiver] = {
          type: failureType(outcome.reason) ?? 'Unknown',
          message: rootMessage(outcome.reason),
        };
    });
    const now = Date.now();
    if (INCIDENT_RECEIVERS.every((receiver) => submission.receipts[receiver])) {
      submission.completedAt = iso(now);
      if (!state.firstDeliveredAt) {
        state.firstDeliveredAt = iso(now);
        state.timeliness = now <= Date.parse(state.dueAt) ? 'ON_TIME' : 'LATE';
      }
      state.status = state.timeliness === 'LATE' ? IncidentStatus.SubmittedLate : IncidentStatus.Submitted;
      const ids = INCIDENT_RECEIVERS.map((r) => `${r} ${submission.receipts[r]!.messageId}`).join(', ');
      await record('incident.card-delivered', 'system', 'OK', `version ${submission.version}: ${ids}`, {
        receipts: submission.receipts,
      });
    } else {
      state.status = IncidentStatus.SubmissionFailed;
      const why = Object.entries(submission.errors)
        .map(([r, e]) => `${r}: ${e!.type} ${e!.message}`)
        .join('; ');
      await record('incident.card-delivery-failed', 'system', 'FAILED', why, { errors: submission.errors });
    }
  }

  async function fire(point: Checkpoint): Promise<void> {
    const now = Date.now();
    if (point.kind === 'DEADLINE') {
      state.escalatedAt = iso(now);
      if (state.status === IncidentStatus.Open || state.status === IncidentStatus.SubmissionFailed)
        state.status = IncidentStatus.Escalated;
      await record(
        'incident.escalated',
        'system',
        'ESCALATED',
        `the card is not with the operator and ЦМААИ ${formatTimeLeft(Date.parse(state.dueAt), now)} after the 48 hours`,
      );
    } else {
      state.remindersSent.push(point.key);
      const event = point.kind === 'INTERNAL_TARGET' ? 'incident.internal-target-missed' : 'incident.reminder';
      await record(
        event,
        'system',
        'OK',
        `${formatTimeLeft(Date.parse(state.dueAt), now)} left to the 48-hour deadline`,
      );
    }
    await alerts.alertIncident({
      incidentId: state.incidentId,
      kind: point.kind,
      checkpoint: point.key,
      firedAtMs: now,
      dueAt: state.dueAt,
      status: state.status,
    });
  }

  /** Reminders, the internal target and the deadline, counted from detection, until the card is out. */
  async function watchDeadlines(): Promise<void> {
    for (;;) {
      if (state.firstDeliveredAt || state.status === IncidentStatus.Closed) return;
      const point = nextCheckpoint(detectedAtMs(), input.timing, fired, scheduledAtMs);
      if (!point) return;
      const seen = scheduleRevision;
      const wait = point.atMs - Date.now();
      if (wait > 0) {
        const interrupted = await condition(
          () => Boolean(state.firstDeliveredAt) || state.status === IncidentStatus.Closed || scheduleRevision !== seen,
          wait,
        );
        if (interrupted) continue;
      }
      fired.add(point.key);
      await fire(point);
    }
  }

  const origin = input.origin.kind === 'DETECTOR' ? `by detector ${input.origin.detector ?? ''}`.trim() : 'by ops';
  await record('incident.opened', input.openedBy, 'OK', `${origin}; due ${state.dueAt}`, { origin: input.origin });
  const watching = watchDeadlines();
  for (;;) {
    await condition(() => pending !== undefined || state.status === IncidentStatus.Closed);
    if (!pending) break;
    await deliver(pending);
    pending = undefined;
  }
  await watching;
  await condition(allHandlersFinished);
  return state;
}
