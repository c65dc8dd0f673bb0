import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessKey } from '../../domain/ids.js';
import { IncidentCardDraft } from '../../domain/incident.js';
import { AmendIncident, CloseIncident, type IncidentState } from '../../domain/incident-state.js';
import { requireKeyIsOperationId } from '../operations.js';
import { problemResponses } from '../problem.js';
import { readState, type ApiDeps } from '../resources.js';
import { Incident, PostHeaders, idParam, json, readResponse } from '../schemas.js';

/** Who acts is the calling API key: the body never names it. */
const OpenIncidentBody = z.object({ incidentId: BusinessKey, card: IncidentCardDraft });
const AmendBody = AmendIncident.omit({ amendedBy: true });
const CloseBody = CloseIncident.omit({ closedBy: true });
const IncidentPath = idParam('incidentId');

export const incidentRoutes =
  ({ client, pool, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/incidents',
      {
        config: { scope: 'incidents:write' },
        schema: {
          operationId: 'openIncident',
          tags: ['incidents'],
          summary: 'Open an information-security incident and its card, due 48 hours from detection',
          description: 'Idempotency-Key must equal incidentId. openedBy is the calling API key.',
          headers: PostHeaders,
          body: OpenIncidentBody,
          response: {
            201: json('Opened; Location names it', Incident),
            200: json('Open already with this card (a replay); its current state', Incident),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request, reply) => {
        const { incidentId, card } = request.body;
        requireKeyIsOperationId(request, 'incidentId', incidentId);
        const location = `/v1/incidents/${incidentId}`;
        reply.header('location', location);
        // The incident workflow keeps no request fingerprint: the API's key store tells a replay from a conflict.
        return once(
          request,
          reply,
          async () => {
            const handle = await client.openIncident({ incidentId, card, openedBy: request.caller!.name });
            if (handle.joined) {
              request.replayed = true;
              reply.header('idempotent-replayed', 'true');
            }
            return { code: handle.joined ? 200 : 201, body: await handle.status() };
          },
          async () => ({ code: 200, body: await client.incident(incidentId).status() }),
        );
      },
    );

    app.get(
      '/v1/incidents/:incidentId',
      {
        config: { scope: 'incidents:read' },
        schema: {
          operationId: 'getIncident',
          tags: ['incidents'],
          summary: 'An incident, its card, submissions and timeline',
          params: IncidentPath,
          response: { ...readResponse(Incident), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        const { incidentId } = request.params;
        request.recordId = incidentId;
        return readState(
          pool,
          request.log,
          'SELECT state FROM incidents WHERE incident_id = $1',
          incidentId,
          `incident ${incidentId}`,
          () => client.incident(incidentId).status(),
        );
      },
    );

    const steps = [
      {
        path: 'amendments',
        id: 'amendIncident',
        summary: 'Amend rows of the card',
        body: AmendBody,
        run: (id: string, actor: string, b: any): Promise<IncidentState> =>
          client.incident(id).amend({ ...b, amendedBy: actor }),
      },
      {
        path: 'submission',
        id: 'submitIncident',
        summary: 'Submit the card to Nomapay and ЦМААИ',
        body: z.object({}).optional(),
        run: (id: string, actor: string) => client.incident(id).submit({ submittedBy: actor }),
      },
      {
        path: 'closure',
        id: 'closeIncident',
        summary: 'Close the incident',
        body: CloseBody,
        run: (id: string, actor: string, b: any) => client.incident(id).close({ ...b, closedBy: actor }),
      },
    ];
    for (const step of steps) {
      app.post(
        `/v1/incidents/:incidentId/${step.path}`,
        {
          config: { scope: 'incidents:write' },
          schema: {
            operationId: step.id,
            tags: ['incidents'],
            summary: step.summary,
            description:
              'Idempotency-Key: a key unique to this step. A step the card’s state refuses is 409 with its errorType.',
            headers: PostHeaders,
            params: IncidentPath,
            body: step.body,
            response: {
              200: json('The incident after the step', Incident),
              ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503),
            },
          },
        },
        async (request, reply) => {
          const { incidentId } = request.params;
          request.recordId = incidentId;
          return once(request, reply, async () => ({
            code: 200,
            body: await step.run(incidentId, request.caller!.name, request.body ?? {}),
          }));
        },
      );
    }
  };
