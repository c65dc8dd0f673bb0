import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { percentile } from './stats.js';

/**
 * Times every activity the worker runs, local ones included, by type: the benchmark's worker reports the figures
 * as it stops, so a run's "task run" time (local activities run inside the workflow task) splits into its steps.
 */
export function activityTimer() {
  const times = new Map<string, number[]>();
  const interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const t0 = performance.now();
        try {
          return await next(input);
        } finally {
          const key = `${ctx.info.isLocal ? 'local ' : ''}${ctx.info.activityType}`;
          let list = times.get(key);
          if (!list) times.set(key, (list = []));
          list.push(performance.now() - t0);
        }
      },
    },
  });
  /** Per activity type: runs, mean and p99 in ms, the most time-consuming first. */
  const report = () =>
    [...times.entries()]
      .map(([activity, all]) => {
        const sorted = [...all].sort((a, b) => a - b);
        const total = sorted.reduce((s, v) => s + v, 0);
        return {
          activity,
          runs: sorted.length,
          meanMs: Math.round(total / sorted.length),
          p99Ms: Math.round(percentile(sorted, 99)),
          totalMs: Math.round(total),
        };
      })
      .sort((a, b) => b.totalMs - a.totalMs);
  return { interceptor, report };
}
