import type { Client, WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { BusinessKey, workflowId, WorkflowProcess } from '../domain/ids.js';
import { MigrationRequest, type MigrationProgress } from '../domain/migration.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import * as wf from '../workflows/migration.js';
import { updateRefusal } from './errors.js';
import { finalState, startOrJoin, validateRequest } from './operations.js';

export const migrationWorkflowId = (migrationId: string) => workflowId(WorkflowProcess.Migration, migrationId);

export interface MigrationHandle {
  workflowId: string;
  joined: boolean;
  status(): Promise<MigrationProgress>;
  pause(actor: string): Promise<MigrationProgress>;
  resume(actor: string): Promise<MigrationProgress>;
  cancel(actor: string): Promise<MigrationProgress>;
  result(): Promise<MigrationProgress>;
}

/** Starting and steering bulk migrations; the bookmaker API (api/routes/migrations.ts), and through it `esu-bridge migration`, sits on this. */
export function createMigrationClient({ client, taskQueue }: { client: Client; taskQueue: string }) {
  function wrap(handle: WorkflowHandle, joined: boolean): MigrationHandle {
    async function control(def: typeof wf.pauseMigrationUpdate, actor: string): Promise<MigrationProgress> {
      try {
        return await handle.executeUpdate(def, { args: [{ actor }] });
      } catch (err) {
        throw updateRefusal(handle.workflowId, err, ErrorType.IdentificationStepRejected) ?? err;
      }
    }
    return {
      workflowId: handle.workflowId,
      joined,
      status: () => handle.query(wf.getMigrationStatusQuery),
      pause: (actor) => control(wf.pauseMigrationUpdate, actor),
      resume: (actor) => control(wf.resumeMigrationUpdate, actor),
      cancel: (actor) => control(wf.cancelMigrationUpdate, actor),
      result: () => finalState<MigrationProgress>(handle),
    };
  }

  return {
    /** Starts a migration, or joins the running one with this id (a migration id is used once). */
    async startMigration(request: z.input<typeof MigrationRequest>): Promise<MigrationHandle> {
      const valid = validateRequest('startMigration', MigrationRequest, request);
      const id = migrationWorkflowId(valid.migrationId);
      const attributes = [
        { key: OperationKindKey, value: 'MIGRATION' },
        { key: OperationStatusKey, value: 'RUNNING' },
      ];
      return startOrJoin(
        client,
        wf.migration,
        {
          taskQueue,
          workflowId: id,
          args: [valid],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: attributes,
        },
        (handle) => wrap(handle, false),
        () => wrap(client.workflow.getHandle(id), true),
      );
    },

    migration(migrationId: string): MigrationHandle {
      return wrap(
        client.workflow.getHandle(migrationWorkflowId(validateRequest('migration', BusinessKey, migrationId))),
        true,
      );
    },
  };
}
