import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MigrationRequest, MigrationSource, type MigrationProgress } from '../../domain/migration.js';
import { requireKeyIsOperationId, startAnswer } from '../operations.js';
import { problemResponses } from '../problem.js';
import type { ApiDeps } from '../resources.js';
import { Migration, PostHeaders, idParam, readResponse, startResponses } from '../schemas.js';

/**
 * Over HTTP a migration reads its bettors from a PostgreSQL table only: a CSV source names a file on the worker's
 * disk, which a remote caller has no business choosing (the CLI, run by ops on the host, still takes one).
 */
const TableSource = MigrationSource.options.find((o) => o.shape.kind.value === 'table')!;
const StartMigration = MigrationRequest.omit({ requestedBy: true }).extend({ source: TableSource });

export const migrationRoutes =
  ({ client, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/migrations',
      {
        config: { scope: 'migrations:write' },
        schema: {
          operationId: 'startMigration',
          tags: ['migrations'],
          summary: 'Re-identify existing bettors in bulk, from a table',
          description: 'Idempotency-Key must equal migrationId. requestedBy is the calling API key.',
          headers: PostHeaders,
          body: StartMigration,
          response: {
            ...startResponses(Migration),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
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

    app.get(
      '/v1/migrations/:migrationId',
      {
        config: { scope: 'migrations:read' },
        schema: {
          operationId: 'getMigration',
          tags: ['migrations'],
          summary: 'A migration’s progress',
          params: idParam('migrationId'),
          response: { ...readResponse(Migration), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        request.recordId = request.params.migrationId;
        return client.migration(request.params.migrationId).status();
      },
    );
  };
