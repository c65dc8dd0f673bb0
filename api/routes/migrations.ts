import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { MigrationRequest, MigrationSource, type MigrationProgress } from '../../domain/migration.js';
import { requireKeyIsOperationId, startAnswer } from '../operations.js';
import type { ApiDeps } from '../resources.js';
import { getRoute, postRoute, START_PROBLEMS } from '../route.js';
import { Migration, idParam, startResponses } from '../schemas.js';

/**
 * Over HTTP a migration reads its bettors from a PostgreSQL table only: a CSV source names a file on the worker's
 * disk, which a remote caller has no business choosing (the CLI, run by ops on the host, still takes one).
 */
const TableSource = MigrationSource.options.find((o) => o.shape.kind.value === 'table')!;
const StartMigration = MigrationRequest.omit({ requestedBy: true }).extend({ source: TableSource });

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

    getRoute<{ migrationId: string }>(
      app,
      {
        path: '/v1/migrations/:migrationId',
        resource,
        operationId: 'getMigration',
        summary: 'A migration’s progress',
        params: idParam('migrationId'),
        answer: Migration,
      },
      ({ migrationId }) => client.migration(migrationId).status(),
    );
  };
