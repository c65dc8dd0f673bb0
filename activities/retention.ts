import type { Pool } from '../db/pool.js';
import { applyRetention, type RetentionReport } from '../store/retention.js';

/** The retention job as an activity, for the daily `retention` workflow (workflows/retention.ts). */
export function createRetentionActivities({ pool }: { pool: Pool }) {
  return {
    async applyRetention({ asOf, dryRun }: { asOf: string; dryRun?: boolean }): Promise<RetentionReport> {
      return applyRetention(pool, { asOf: new Date(asOf), dryRun: dryRun ?? false, actor: 'retention-schedule' });
    },
  };
}
