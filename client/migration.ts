import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ErrorType } from '../domain/errors.js';
import { BusinessKey, workflowId, WorkflowProcess } from '../domain/ids.js';
import { MigrationRequest, type MigrationProgress } from '../domain/migration.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import * as wf from '../workflows/migration.js';
import { InvalidRequestError, toOperationFailure } from './errors.js';
import { StepRejectedError } from './identification.js';

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

/** Starting and steering bulk migrations; the CLI (client/migrate-cli.ts) sits on this. */
export function createMigrationClient({ client, taskQueue }: { client: Client; taskQueue: string }) {
  function wrap(handle: WorkflowHandle, joined: boolean): MigrationHandle {
    async function control(def: typeof wf.pauseMigrationUpdate, actor: string): Promise<MigrationProgress> {
      try {
        return await handle.executeUpdate(def, { args: [{ actor }] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          throw new StepRejectedError(
            handle.workflowId,
            err.cause.type ?? ErrorType.IdentificationStepRejected,
            err.cause.message,
            { cause: err },
          );
        }
        throw err;
      }
    }
    return {
      workflowId: handle.workflowId,
      joined,
      status: () => handle.query(wf.getMigrationStatusQuery),
      pause: (actor) => control(wf.pauseMigrationUpdate, actor),
      resume: (actor) => control(wf.resumeMigrationUpdate, actor),
      cancel: (actor) => control(wf.cancelMigrationUpdate, actor),
      async result() {
        try {
          return (await handle.result()) as MigrationProgress;
        } catch (err) {
          throw toOperationFailure<MigrationProgress>(handle.workflowId, err) ?? err;
        }
      },
    };
  }

  return {
    /** Starts a migration, or joins the running one with this id (a migration id is used once). */
    async startMigration(request: z.input<typeof MigrationRequest>): Promise<MigrationHandle> {
      const parsed = MigrationRequest.safeParse(request);
      if (!parsed.success) throw InvalidRequestError.fromZod('startMigration', parsed.error);
      const id = migrationWorkflowId(parsed.data.migrationId);
      try {
        const handle = await client.workflow.start(wf.migration, {
          taskQueue,
          workflowId: id,
          args: [parsed.data],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OperationKindKey, value: 'MIGRATION' },
            { key: OperationStatusKey, value: 'RUNNING' },
          ],
        });
        return wrap(handle, false);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return wrap(client.workflow.getHandle(id), true);
        throw err;
      }
    },

    migration(migrationId: string): MigrationHandle {
      const parsed = BusinessKey.safeParse(migrationId);
      if (!parsed.success) throw InvalidRequestError.fromZod('migration', parsed.error);
      return wrap(client.workflow.getHandle(migrationWorkflowId(parsed.data)), true);
    },
  };
}
