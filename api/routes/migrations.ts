import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorType } from '../../domain/errors.js';
import { MigrationRequest, MigrationSource, type MigrationProgress } from '../../domain/migration.js';
import { requireKeyIsOperationId, startAnswer } from '../operations.js';
import { ProblemError } from '../problem.js';
import { notFound, type ApiDeps } from '../resources.js';
import { getRoute, postRoute, START_PROBLEMS, stepRoutes } from '../route.js';
import { Migration, idParam, startResponses } from '../schemas.js';

/**
 * Over HTTP a migration reads its bettors from a PostgreSQL table only: a CSV source names a file on the worker's
 * disk, which a remote caller has no business choosing. `esu-bridge migration` acts through these routes with its
 * API key, so the server, not the caller, says who started, paused, resumed or cancelled a migration.
 */
const TableSource = MigrationSource.options.find((o) => o.shape.kind.value === 'table')!;
const StartMigration = MigrationRequest.omit({ requestedBy: true }).extend({ source: TableSource });
const MigrationPath = idParam('migrationId');
const NoBody = z.object({}).optional();

/** Steering a running migration (the workflow's updates); who acts is the calling API key, never the body. */
const STEPS = [
  {
    path: 'pause',
    id: 'pauseMigration',
    summary: 'Pause a running migration (the bettors under way finish)',
    body: NoBody,
  },
  { path: 'resume', id: 'resumeMigration', summary: 'Resume a paused migration', body: NoBody },
  { path: 'cancel', id: 'cancelMigration', summary: 'Cancel a running or paused migration', body: NoBody },
] as const;
const COMMAND = { pauseMigration: 'pause', resumeMigration: 'resume', cancelMigration: 'cancel' } as const;

export const migrationRoutes =
  ({ client, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const resource = 'migrations';
    postRoute<unknown, z.infer<typeof StartMigration>>(
      app,
      {
        path: '/v1/migrations',
        resource,
        operationId: 'startMigration',
        summary: 'Re-identify existing bettors in bulk, from a table',
        description: 'Idempotency-Key must equal migrationId. requestedBy is the calling API key.',
        body: StartMigration,
        responses: { ...startResponses(Migration), ...START_PROBLEMS },
      },
      async (request, reply) => {
        const body = request.body;
        requireKeyIsOperationId(request, 'migrationId', body.migrationId);
        const isFinal = (s: MigrationProgress) => s.status === 'COMPLETED' || s.status === 'CANCELLED';
        const location = `/v1/migrations/${body.migrationId}`;
        const provisional = {
          migrationId: body.migrationId,
          status: 'RUNNING',
          settled: 0,
          done: 0,
          failed: 0,
          inReview: 0,
          inFlight: 0,
          counts: {},
          ratePerHour: 0,
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          run: 1,
        } as unknown as MigrationProgress;
        const start = async () =>
          startAnswer(request, reply, await client.startMigration({ ...body, requestedBy: request.caller!.name }), {
            location,
            provisional,
            isFinal,
          });
        // The migration workflow keeps no request fingerprint: the API's key store tells a replay from a conflict.
        return once(request, reply, start, async () => {
          reply.header('location', location);
          const state = await client.migration(body.migrationId).status();
          return { code: isFinal(state) ? 200 : 202, body: state };
        });
      },
    );

    const migration = { path: '/v1/migrations/:migrationId', resource, params: MigrationPath } as const;
    getRoute<{ migrationId: string }>(
      app,
      { ...migration, operationId: 'getMigration', summary: 'A migration’s progress', answer: Migration },
      ({ migrationId }) => client.migration(migrationId).status(),
    );

    stepRoutes(
      app,
      {
        ...migration,
        description:
          'Idempotency-Key: a key unique to this step. The journal names the calling API key as who acted. A step ' +
          'the migration’s state refuses (pausing a paused one, any step on an ended one) is 409 with its errorType; ' +
          'an unknown migration 404.',
        answer: ['The migration’s progress after the step', Migration],
      },
      STEPS,
      (step, migrationId, request, reply) =>
        once(request, reply, async () => {
          try {
            const progress = await client.migration(migrationId)[COMMAND[step.id]](request.caller!.name);
            return { code: 200, body: progress };
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            // Temporal answers an update of a closed run as not found too: that migration is there, and over.
            if (/already completed/i.test(err.message))
              throw new ProblemError(409, `the migration ${migrationId} has ended: nothing to ${COMMAND[step.id]}`, {
                errorType: ErrorType.IdentificationStepRejected,
              });
            throw notFound(`migration ${migrationId}`);
          }
        }),
    );
  };
