import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessKey } from '../../domain/ids.js';
import { IncidentCardDraft } from '../../domain/incident.js';
import { AmendIncident, CloseIncident, type IncidentState } from '../../domain/incident-state.js';
import { incidentSnapshot } from '../../store/incidents.js';
import { readState, type ApiDeps } from '../resources.js';
import { getRoute, START_PROBLEMS, startRoute, stepRoutes } from '../route.js';
import { Incident, json } from '../schemas.js';

/** Who acts is the calling API key: the body never names it. */
const OpenIncidentBody = z.object({ incidentId: BusinessKey, card: IncidentCardDraft });
const AmendBody = AmendIncident.omit({ amendedBy: true });
const CloseBody = CloseIncident.omit({ closedBy: true });
const NoBody = z.object({}).optional();

/** The steps on an open incident; who acts is the calling API key. */
const STEPS = [
  { path: 'amendments', id: 'amendIncident', summary: 'Amend rows of the card', body: AmendBody },
  { path: 'submission', id: 'submitIncident', summary: 'Submit the card to Nomapay and ЦМААИ', body: NoBody },
  { path: 'closure', id: 'closeIncident', summary: 'Close the incident', body: CloseBody },
] as const;

export const incidentRoutes =
  ({ client, pool, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const incident = startRoute(
      app,
      {
        resource: 'incidents',
        idField: 'incidentId',
        operationId: 'openIncident',
        summary: 'Open an information-security incident and its card, due 48 hours from detection',
        description: 'openedBy is the calling API key.',
        body: OpenIncidentBody,
        responses: {
          201: json('Opened; Location names it', Incident),
          200: json('Open already with this card (a replay); its current state', Incident),
          ...START_PROBLEMS,
        },
      },
      async (incidentId, request, reply) => {
        const { card } = request.body;
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

    getRoute<{ incidentId: string }>(
      app,
      {
        ...incident,
        operationId: 'getIncident',
        summary: 'An incident, its card, submissions and timeline',
        answer: Incident,
      },
      ({ incidentId }, request) =>
        readState(
          request.log,
          () => incidentSnapshot<IncidentState>(pool, incidentId),
          incidentId,
          `incident ${incidentId}`,
          () => client.incident(incidentId).status(),
        ),
    );

    const run = {
      amendIncident: (id: string, actor: string, b: any): Promise<IncidentState> =>
        client.incident(id).amend({ ...b, amendedBy: actor }),
      submitIncident: (id: string, actor: string) => client.incident(id).submit({ submittedBy: actor }),
      closeIncident: (id: string, actor: string, b: any) => client.incident(id).close({ ...b, closedBy: actor }),
    };
    stepRoutes(
      app,
      {
        ...incident,
        description:
          'Idempotency-Key: a key unique to this step. A step the card’s state refuses is 409 with its errorType.',
        answer: ['The incident after the step', Incident],
      },
      STEPS,
      (step, incidentId, request, reply) =>
        once(request, reply, async () => ({
          code: 200,
          body: await run[step.id](incidentId, request.caller!.name, request.body ?? {}),
        })),
    );
  };
