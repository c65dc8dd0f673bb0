import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessKey } from '../../domain/ids.js';
import {
  TERMINAL_STEPS,
  type IdentificationState,
  type StepAnswer as StepResult,
} from '../../domain/identification.js';
import * as command from '../../domain/identification-commands.js';
import type { IdentificationHandle } from '../../client/index.js';
import { answerStart } from '../operations.js';
import type { ApiDeps } from '../resources.js';
import { getRoute, START_PROBLEMS, startRoute, stepRoutes } from '../route.js';
import { Identification, StepAnswer, postHeaders, startResponses } from '../schemas.js';

const StartIdentification = z.object({
  bettorId: BusinessKey,
  onRepeatedBiometricFailure: z.enum(['OFFLINE_REVIEW', 'REFUSE']).optional(),
});
const NoBody = z.object({}).optional();

/** The steps of an identification, in the order the app usually calls them (ЦОИД rules); `id` is the handle's method. */
const STEPS = [
  {
    path: 'consent',
    id: 'giveConsent',
    summary: 'Record the bettor’s consent (§§9, 13, 25)',
    body: command.GiveConsent,
  },
  {
    path: 'two-factor',
    id: 'startTwoFactor',
    summary: 'Open a two-factor session with the IIN and registered phone (§24)',
    body: command.StartTwoFactor.omit({ bettorRef: true }),
  },
  {
    path: 'liveness',
    id: 'submitLiveness',
    summary: 'One liveness check, by the capture’s token (§23.2)',
    body: command.SubmitLiveness,
  },
  {
    path: 'sms',
    id: 'sendSmsCode',
    summary: 'Send the one-time SMS code (§23.3)',
    body: NoBody,
  },
  {
    path: 'sms-code',
    id: 'submitSmsCode',
    summary: 'Check the SMS code the bettor typed',
    body: command.SubmitSmsCode,
  },
  {
    path: 'photo',
    id: 'submitPhoto',
    summary: 'Photo match against ЦОИД (§14(1), annex 1)',
    body: command.SubmitPhoto.omit({ bettorRef: true }),
  },
  {
    path: 'decision',
    id: 'recordDecision',
    summary: 'The bookmaker’s decision on the photo match (§17.4)',
    body: command.RecordDecision,
  },
  {
    path: 'review',
    id: 'decideReview',
    summary: 'The offline review’s outcome (§16)',
    body: command.DecideReview,
  },
  {
    path: 'consent-revocation',
    id: 'revokeConsent',
    summary: 'The bettor revoked consent (§§26–27, 31)',
    body: command.RevokeConsent,
  },
] as const;

/** Runs a step on the bettor's identification: the handle's method of the step's id, with the body. */
const runStep = (handle: IdentificationHandle, id: (typeof STEPS)[number]['id'], body: unknown) =>
  (handle[id] as (cmd: unknown) => Promise<StepResult>)(body);

export const identificationRoutes =
  ({ client, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const bettor = startRoute(
      app,
      {
        resource: 'identifications',
        idField: 'bettorId',
        operationId: 'startIdentification',
        summary: 'Start (or join) a bettor’s identification through Nomapay',
        description: 'A bettor identified before is answered IDENTIFIED at once.',
        headers: postHeaders('bettor-example-1'),
        body: StartIdentification.meta({ examples: [{ bettorId: 'bettor-example-1' }] }),
        responses: { ...startResponses(Identification), ...START_PROBLEMS },
      },
      async (_bettorId, request, reply) => {
        const body = request.body;
        const started = await client.startIdentification(body);
        return answerStart(request, reply, started, {
          location: `/v1/identifications/${body.bettorId}`,
          provisional: {
            bettorId: body.bettorId,
            mode: 'APP',
            step: 'AWAITING_CONSENT',
            sessionsOpened: 0,
            biometricFailures: 0,
            updatedAt: new Date().toISOString(),
          } as IdentificationState,
          isFinal: (s: IdentificationState) => TERMINAL_STEPS.includes(s.step),
        });
      },
    );

    getRoute<{ bettorId: string }>(
      app,
      {
        ...bettor,
        operationId: 'getIdentification',
        summary: 'The bettor’s running (or last) identification',
        answer: Identification,
      },
      ({ bettorId }) => client.identification(bettorId).status(),
    );

    stepRoutes(
      app,
      {
        ...bettor,
        description:
          'Idempotency-Key: a key unique to this step. A replay answers the stored answer; a step out of order or past a ЦОИД limit is 409 with its errorType.',
        answer: ['What the step did, and the identification after it', StepAnswer],
      },
      STEPS,
      (step, bettorId, request, reply) => {
        const handle = client.identification(bettorId);
        return once(request, reply, async () => ({
          code: 200,
          body: await runStep(handle, step.id, request.body ?? {}),
        }));
      },
    );
  };
