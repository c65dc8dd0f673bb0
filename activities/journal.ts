import { inTransaction, type Pool } from '../db/pool.js';
import { recordStepsWithin, recordStepWithin, type StepRecord } from '../store/journal.js';

export type { StepRecord } from '../store/journal.js';

export function createJournalActivities({ pool }: { pool: Pool }) {
  return {
    /** Moves the operation to its new status and journals the step, in one transaction. */
    async recordStep(step: StepRecord): Promise<void> {
      await inTransaction(pool, (db) => recordStepWithin(db, step));
    },

    /** Several steps a saga passed in one workflow task, in one transaction. */
    async recordSteps({ steps }: { steps: StepRecord[] }): Promise<void> {
      await inTransaction(pool, (db) => recordStepsWithin(db, steps));
    },
  };
}

export type JournalActivities = ReturnType<typeof createJournalActivities>;
