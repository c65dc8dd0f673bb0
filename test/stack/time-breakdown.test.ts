import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { meanBreakdown, timeBreakdown } from '../../bench/time-breakdown.js';

const E = proto.temporal.api.enums.v1.EventType;
const t = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const ev = (eventId: number, ms: number, eventType: number, attrs: object = {}) => ({
  eventId,
  eventTime: t(ms),
  eventType,
  ...attrs,
});

/** A run: one workflow task, one activity, a second task, a timer, a third task; 1 000 ms end to end. */
const history = [
  ev(1, 0, E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
  ev(2, 0, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
  ev(3, 40, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, { workflowTaskStartedEventAttributes: { scheduledEventId: 2 } }),
  ev(4, 100, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, { workflowTaskCompletedEventAttributes: { startedEventId: 3 } }),
  ev(5, 100, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  ev(6, 130, E.EVENT_TYPE_ACTIVITY_TASK_STARTED, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } }),
  ev(7, 330, E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, { activityTaskCompletedEventAttributes: { startedEventId: 6 } }),
  ev(8, 340, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
  ev(9, 360, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, { workflowTaskStartedEventAttributes: { scheduledEventId: 8 } }),
  ev(10, 400, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, { workflowTaskCompletedEventAttributes: { startedEventId: 9 } }),
  ev(11, 400, E.EVENT_TYPE_TIMER_STARTED),
  ev(12, 900, E.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { startedEventId: 11 } }),
  ev(13, 900, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
  ev(14, 950, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, { workflowTaskStartedEventAttributes: { scheduledEventId: 13 } }),
  ev(15, 990, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, { workflowTaskCompletedEventAttributes: { startedEventId: 14 } }),
  ev(16, 1000, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
] as unknown as Parameters<typeof timeBreakdown>[0]; // ids as numbers where the SDK gives Longs: read alike

describe('where a run’s time went, from its history', () => {
  it('sums workflow-task queue and run, activity queue and run, timers, and leaves the rest to the server', () => {
    expect(timeBreakdown(history)).toEqual({
      totalMs: 1000,
      workflowTaskQueueMs: 40 + 20 + 50,
      workflowTaskRunMs: 60 + 40 + 40,
      workflowTasks: 3,
      activityQueueMs: 30,
      activityRunMs: 200,
      activities: 1,
      childStartMs: 0,
      timerMs: 500,
      elsewhereMs: 1000 - 110 - 140 - 30 - 200 - 500,
    });
  });

  it('averages several runs field by field, and has nothing to say of none', () => {
    const one = timeBreakdown(history);
    const mean = meanBreakdown([one, { ...one, totalMs: 3000 }])!;
    expect(mean.totalMs).toBe(2000);
    expect(mean.activityRunMs).toBe(200);
    expect(meanBreakdown([])).toBeUndefined();
  });
});
