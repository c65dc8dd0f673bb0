import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessKey } from '../../domain/ids.js';
import { TERMINAL_STEPS, type IdentificationState } from '../../domain/identification.js';
import {
  DecideReview,
  GiveConsent,
  RecordDecision,
  RevokeConsent,
  StartTwoFactor,
  SubmitLiveness,
  SubmitPhoto,
  SubmitSmsCode,
} from '../../domain/identification-commands.js';
import type { IdentificationHandle } from '../../client/index.js';
import { answerStart, requireKeyIsOperationId } from '../operations.js';
import { problemResponses } from '../problem.js';
import type { ApiDeps } from '../resources.js';
import {
  Identification,
  PostHeaders,
  StepAnswer,
  idParam,
  json,
  postHeaders,
  readResponse,
  startResponses,
} from '../schemas.js';

const StartIdentification = z.object({
  bettorId: BusinessKey,
  onRepeatedBiometricFailure: z.enum(['OFFLINE_REVIEW', 'REFUSE']).optional(),
});
const BettorPath = idParam('bettorId');
const NoBody = z.object({}).optional();

/** The steps of an identification, in the order the app usually calls them (ЦОИД rules). */
const STEPS = [
  {
    path: 'consent',
    id: 'giveConsent',
    summary: 'Record the bettor’s consent (§§9, 13, 25)',
    body: GiveConsent,
    run: (h: IdentificationHandle, b: any) => h.giveConsent(b),
  },
  {
    path: 'two-factor',
    id: 'startTwoFactor',
    summary: 'Open a two-factor session with the IIN and registered phone (§24)',
    body: StartTwoFactor.omit({ bettorRef: true }),
    run: (h: IdentificationHandle, b: any) => h.startTwoFactor(b),
  },
  {
    path: 'liveness',
    id: 'submitLiveness',
    summary: 'One liveness check, by the capture’s token (§23.2)',
    body: SubmitLiveness,
    run: (h: IdentificationHandle, b: any) => h.submitLiveness(b),
  },
  {
    path: 'sms',
    id: 'sendSmsCode',
    summary: 'Send the one-time SMS code (§23.3)',
    body: NoBody,
    run: (h: IdentificationHandle) => h.sendSmsCode(),
  },
  {
    path: 'sms-code',
    id: 'submitSmsCode',
    summary: 'Check the SMS code the bettor typed',
    body: SubmitSmsCode,
    run: (h: IdentificationHandle, b: any) => h.submitSmsCode(b),
  },
  {
    path: 'photo',
    id: 'submitPhoto',
    summary: 'Photo match against ЦОИД (§14(1), annex 1)',
    body: SubmitPhoto.omit({ bettorRef: true }),
    run: (h: IdentificationHandle, b: any) => h.submitPhoto(b),
  },
  {
    path: 'decision',
    id: 'recordDecision',
    summary: 'The bookmaker’s decision on the photo match (§17.4)',
    body: RecordDecision,
    run: (h: IdentificationHandle, b: any) => h.recordDecision(b),
  },
  {
    path: 'review',
    id: 'decideReview',
    summary: 'The offline review’s outcome (§16)',
    body: DecideReview,
    run: (h: IdentificationHandle, b: any) => h.decideReview(b),
  },
  {
    path: 'consent-revocation',
    id: 'revokeConsent',
    summary: 'The bettor revoked consent (§§26–27, 31)',
    body: RevokeConsent,
    run: (h: IdentificationHandle, b: any) => h.revokeConsent(b),
  },
] as const;

export const identificationRoutes =
  ({ client, once }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/identifications',
      {
        config: { scope: 'identifications:write' },
        schema: {
          operationId: 'startIdentification',
          tags: ['identifications'],
          summary: 'Start (or join) a bettor’s identification through Nomapay',
          description:
            'Idempotency-Key must equal bettorId. A bettor identified before is answered IDENTIFIED at once.',
          headers: postHeaders('bettor-example-1'),
          body: StartIdentification.meta({ examples: [{ bettorId: 'bettor-example-1' }] }),
          response: {
            ...startResponses(Identification),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        requireKeyIsOperationId(request, 'bettorId', body.bettorId);
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

    app.get(
      '/v1/identifications/:bettorId',
      {
        config: { scope: 'identifications:read' },
        schema: {
          operationId: 'getIdentification',
          tags: ['identifications'],
          summary: 'The bettor’s running (or last) identification',
          params: BettorPath,
          response: { ...readResponse(Identification), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        request.recordId = request.params.bettorId;
        return client.identification(request.params.bettorId).status();
      },
    );

    for (const step of STEPS) {
      app.post(
        `/v1/identifications/:bettorId/${step.path}`,
        {
          config: { scope: 'identifications:write' },
          schema: {
            operationId: step.id,
            tags: ['identifications'],
            summary: step.summary,
            description:
              'Idempotency-Key: a key unique to this step. A replay answers the stored answer; a step out of order or past a ЦОИД limit is 409 with its errorType.',
            headers: PostHeaders,
            params: BettorPath,
            body: step.body,
            response: {
              200: json('What the step did, and the identification after it', StepAnswer),
              ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503),
            },
          },
        },
        async (request, reply) => {
          request.recordId = request.params.bettorId;
          const handle = client.identification(request.params.bettorId);
          return once(request, reply, async () => ({ code: 200, body: await step.run(handle, request.body ?? {}) }));
        },
      );
    }
  };
