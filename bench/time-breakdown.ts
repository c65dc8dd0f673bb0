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

export function timeBreakdown(events: readonly HistoryEvent[]): TimeBreakdown {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const since = (e: HistoryEvent, scheduledId: unknown) => {
    const from = byId.get(Number(scheduledId));
    return from ? at(e) - at(from) : 0;
  };
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
  for (const e of events) {
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        b.workflowTaskQueueMs += since(e, e.workflowTaskStartedEventAttributes?.scheduledEventId);
        b.workflowTasks++;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        b.workflowTaskRunMs += since(e, e.workflowTaskCompletedEventAttributes?.startedEventId);
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        b.activityQueueMs += since(e, e.activityTaskStartedEventAttributes?.scheduledEventId);
        b.activities++;
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        b.activityRunMs += since(e, e.activityTaskCompletedEventAttributes?.startedEventId);
        break;
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
        b.childStartMs += since(e, e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId);
        break;
      case E.EVENT_TYPE_TIMER_FIRED:
        b.timerMs += since(e, e.timerFiredEventAttributes?.startedEventId);
        break;
    }
  }
  const accounted =
    b.workflowTaskQueueMs + b.workflowTaskRunMs + b.activityQueueMs + b.activityRunMs + b.childStartMs + b.timerMs;
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
