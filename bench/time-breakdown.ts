import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const E = proto.temporal.api.enums.v1.EventType;

/**
 * Where one workflow's time went, read from its history's event times (ms, summed over the run): waiting for a
 * worker to pick up a workflow task, the worker running it (its local activities included: they run inside the
 * task), activities waiting in their queue and running, a child's start handshake, and timers. What is left of
 * the run's duration is the server's own time between one event and the next (writing the history, dispatching).
 */
export interface TimeBreakdown {
  totalMs: number;
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  workflowTasks: number;
  activityQueueMs: number;
  activityRunMs: number;
  activities: number;
  childStartMs: number;
  timerMs: number;
  elsewhereMs: number;
}

const at = (e: HistoryEvent): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : Number.NaN;
};

/**
 * Where the time of each kind of span goes: the event that ends it, and the event it names as the span's start
 * (the task's or activity's scheduling, its start, a child's initiation, the timer's start).
 */
const SPANS = {
  workflowTaskQueueMs: [
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    (e) => e.workflowTaskStartedEventAttributes?.scheduledEventId,
  ],
  workflowTaskRunMs: [
    E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    (e) => e.workflowTaskCompletedEventAttributes?.startedEventId,
  ],
  activityQueueMs: [E.EVENT_TYPE_ACTIVITY_TASK_STARTED, (e) => e.activityTaskStartedEventAttributes?.scheduledEventId],
  activityRunMs: [E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, (e) => e.activityTaskCompletedEventAttributes?.startedEventId],
  childStartMs: [
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
    (e) => e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId,
  ],
  timerMs: [E.EVENT_TYPE_TIMER_FIRED, (e) => e.timerFiredEventAttributes?.startedEventId],
} satisfies Partial<Record<keyof TimeBreakdown, [unknown, (e: HistoryEvent) => unknown]>>;
const SPAN_ENDS = new Map<unknown, { ms: keyof typeof SPANS; start: (e: HistoryEvent) => unknown }>(
  Object.entries(SPANS).map(([ms, [type, start]]) => [type, { ms: ms as keyof typeof SPANS, start }]),
);
/** The events that count a workflow task or an activity. */
const COUNTED = new Map<unknown, 'workflowTasks' | 'activities'>([
  [E.EVENT_TYPE_WORKFLOW_TASK_STARTED, 'workflowTasks'],
  [E.EVENT_TYPE_ACTIVITY_TASK_STARTED, 'activities'],
]);

export function timeBreakdown(events: readonly HistoryEvent[]): TimeBreakdown {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const b: TimeBreakdown = {
    totalMs: events.length ? at(events.at(-1)!) - at(events[0]!) : 0,
    workflowTaskQueueMs: 0,
    workflowTaskRunMs: 0,
    workflowTasks: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    activities: 0,
    childStartMs: 0,
    timerMs: 0,
    elsewhereMs: 0,
  };
  let accounted = 0;
  for (const e of events) {
    const counted = COUNTED.get(e.eventType);
    if (counted) b[counted]++;
    const span = SPAN_ENDS.get(e.eventType);
    if (!span) continue;
    const from = byId.get(Number(span.start(e)));
    const ms = from ? at(e) - at(from) : 0;
    b[span.ms] += ms;
    accounted += ms;
  }
  b.elsewhereMs = Math.max(0, b.totalMs - accounted);
  return b;
}

/** The mean of several runs' breakdowns, field by field. */
export function meanBreakdown(all: readonly TimeBreakdown[]): TimeBreakdown | undefined {
  if (!all.length) return undefined;
  const keys = Object.keys(all[0]!) as (keyof TimeBreakdown)[];
  return Object.fromEntries(
    keys.map((k) => [k, all.reduce((s, b) => s + b[k], 0) / all.length]),
  ) as unknown as TimeBreakdown;
}
