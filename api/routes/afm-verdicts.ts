import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EsuBridgeClient } from '../../client/index.js';
import { verifyAfmCallback } from '../../crypto/afm-callback.js';
import type { SignerTrust } from '../../crypto/signer.js';
import type { Pool } from '../../db/pool.js';
import { SubmissionKey } from '../../domain/submission.js';
import { DocumentSignature, IsoDateTime } from '../../domain/wire/common.js';
import { ProblemError, problemResponses } from '../problem.js';
import { json } from '../schemas.js';
import { giveBackAfmCallback, takeAfmCallback, wasAcknowledgedByAfm } from '../../store/afm-callbacks.js';
import { appendJournal } from '../../store/journal.js';

export interface AfmVerdictDeps {
  client: EsuBridgeClient;
  pool: Pool;
  /** AFM's certificate and CA (AFM_CERTIFICATE_PATH, AFM_CA_PATH) and how old a callback may be. */
  callback: { trust: SignerTrust; maxAgeMs: number };
  now?: () => number;
}

const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"');
const EXAMPLE = {
  message: {
    id: 'MSG-1',
    type: 'SUBMISSION_REJECTED',
    messageId: 'AFM-example-1',
    submissionId: 'afm-dep-example-1',
    rejection: {
      code: 'IIN_UNKNOWN',
      reason: 'the IIN is not in the state register',
      rejectedAt: '2026-12-04T10:00:00+05:00',
    },
    publishedAt: '2026-12-04T10:00:00+05:00',
  },
  sentAt: '2026-12-04T10:00:01+05:00',
  signature: {
    algorithm: 'RSA-SHA256',
    keyId: '3f1c…sha-256 fingerprint of AFM certificate',
    certificate: 'MIIC…base64 DER of AFM certificate',
    value: 'c2lnbmF0dXJlLW9mLXRoZS1leGFtcGxl',
  },
};

/** AFM's callback as it comes: the verdict message, when AFM sent it, and AFM's signature over both. */
const AfmCallbackBody = z
  .strictObject({
    message: z.strictObject({
      id: Id.describe("AFM's id of this verdict message; a second callback with the same id is a replay, refused"),
      type: z.literal('SUBMISSION_REJECTED'),
      messageId: Id.describe("The receipt's messageId of the submission"),
      submissionId: SubmissionKey,
      rejection: z.strictObject({
        code: z.string().min(1).max(200),
        reason: z.string().min(1).max(4000),
        rejectedAt: IsoDateTime,
      }),
      publishedAt: IsoDateTime,
    }),
    sentAt: IsoDateTime.describe(
      `When AFM sent the callback; older than AFM_CALLBACK_MAX_AGE (5 minutes) is refused as a replay`,
    ),
    signature: DocumentSignature.describe(
      "AFM's X.509 signature: algorithm, its certificate's SHA-256 fingerprint (keyId), the certificate (base64 DER), the value (base64)",
    ),
  })
  .meta({ examples: [EXAMPLE] });

const Receipt = z
  .object({
    received: z.literal(true),
    verdictId: z.string(),
    submissionId: z.string(),
    /** DELIVERED: the waiting submission has it; SUBMISSION_CLOSED: the submission had already ended (journalled). */
    outcome: z.enum(['DELIVERED', 'SUBMISSION_CLOSED']),
    receivedAt: z.string(),
  })
  .meta({ id: 'AfmVerdictReceipt' });

/**
 * The push half of the e-government integration rules §47: AFM posts each verdict to an endpoint the bookmaker hosts. It is authenticated by
 * AFM's signature, not an API key. A callback is taken once: a forged or unverifiable signature, a stale or future
 * `sentAt`, a verdict id already received, or a submission we never sent under that messageId is refused (4xx, and
 * journalled with the reason); otherwise the submission is signalled and AFM gets a receipt.
 */
export const afmVerdictRoutes =
  ({ client, pool, callback, now = () => Date.now() }: AfmVerdictDeps): FastifyPluginAsyncZod =>
  async (app) => {
    async function refuse(
      event: string,
      recordId: string,
      reason: string,
      details: Record<string, unknown>,
    ): Promise<never> {
      await appendJournal(pool, { event, actor: 'afm', recordId, result: 'REFUSED', details: { reason, ...details } });
      throw new ProblemError(
        event === 'afm.callback-forged' ? 401 : event === 'afm.callback-unknown' ? 422 : 409,
        reason,
      );
    }

    app.post(
      '/v1/afm/verdicts',
      {
        schema: {
          operationId: 'receiveAfmVerdict',
          tags: ['afm'],
          summary: "Receive AFM's verdict on a submission (AFM's callback)",
          description:
            "Called by AFM, not by bookmaker services: authenticated by AFM's signature (RSA-SHA256 over the RFC 8785 form of the body without `signature`, by the certificate configured as AFM_CERTIFICATE_PATH under AFM_CA_PATH), no API key and no Idempotency-Key. Forged, stale or replayed callbacks are refused.",
          security: [],
          body: AfmCallbackBody,
          response: {
            200: json('Received: the receipt AFM keeps', Receipt),
            ...problemResponses(401, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request) => {
        const body = request.body;
        const { message } = body;
        request.recordId = message.submissionId;
        const details = {
          verdictId: message.id,
          messageId: message.messageId,
          submissionId: message.submissionId,
          keyId: body.signature.keyId,
        };
        const verified = verifyAfmCallback(body as never, callback.trust);
        if (!verified.ok) {
          return refuse(
            'afm.callback-forged',
            message.submissionId,
            `${verified.code}: ${verified.message}: not from AFM`,
            { ...details, refusal: verified.code },
          );
        }
        const ageMs = now() - Date.parse(body.sentAt);
        if (ageMs > callback.maxAgeMs || ageMs < -callback.maxAgeMs) {
          return refuse(
            'afm.callback-replayed',
            message.submissionId,
            `sentAt ${body.sentAt} is ${Math.round(ageMs / 1000)} s away from now: outside the ${callback.maxAgeMs / 1000} s a callback is taken in`,
            details,
          );
        }
        if (!(await wasAcknowledgedByAfm(pool, message.submissionId, message.messageId))) {
          return refuse(
            'afm.callback-unknown',
            message.submissionId,
            `no AFM submission ${message.submissionId} was acknowledged with messageId ${message.messageId}`,
            details,
          );
        }
        const taken = await takeAfmCallback(pool, {
          verdictId: message.id,
          messageId: message.messageId,
          submissionId: message.submissionId,
          sentAt: body.sentAt,
        });
        if (!taken)
          return refuse(
            'afm.callback-replayed',
            message.submissionId,
            `verdict ${message.id} was received before`,
            details,
          );
        let outcome: 'DELIVERED' | 'CLOSED';
        try {
          outcome = await client.signalAfmVerdict(message.submissionId, {
            channel: 'PUSH',
            verdictId: message.id,
            messageId: message.messageId,
            code: message.rejection.code,
            reason: message.rejection.reason,
            rejectedAt: message.rejection.rejectedAt,
          });
        } catch (err) {
          // Not taken after all: AFM's next try must not be refused as a replay.
          await giveBackAfmCallback(pool, message.id);
          throw err;
        }
        await appendJournal(pool, {
          event: outcome === 'DELIVERED' ? 'afm.verdict-received' : 'verdict.undeliverable',
          actor: 'afm',
          recordId: message.submissionId,
          result: outcome === 'DELIVERED' ? 'OK' : 'REFUSED',
          details: { channel: 'PUSH', ...details, code: message.rejection.code },
        });
        return {
          received: true as const,
          verdictId: message.id,
          submissionId: message.submissionId,
          outcome: outcome === 'DELIVERED' ? ('DELIVERED' as const) : ('SUBMISSION_CLOSED' as const),
          receivedAt: new Date(now()).toISOString(),
        };
      },
    );
  };
