import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MigrationOutcome, MigrationProgress } from '../domain/migration.js';

/** Messages of the migration workflow, re-exported by workflows/migration.ts. */
export const getMigrationStatusQuery = defineQuery<MigrationProgress>('getStatus');
export const pauseMigrationUpdate = defineUpdate<MigrationProgress, [{ actor: string }]>('pause');
export const resumeMigrationUpdate = defineUpdate<MigrationProgress, [{ actor: string }]>('resume');
export const cancelMigrationUpdate = defineUpdate<MigrationProgress, [{ actor: string }]>('cancel');

/** Sent by a migration-mode identification when the bettor is settled for the migration's purposes. */
export interface BettorSettled {
  bettorId: string;
  outcome: MigrationOutcome;
  detail?: string;
}
export const bettorSettledSignal = defineSignal<[BettorSettled]>('bettorSettled');
