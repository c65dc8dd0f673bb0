import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PayoutRequest, type PayoutState, type PayoutStatus } from '../../domain/bet.js';
import { payoutWorkflowId } from '../../domain/ids.js';
import { answerStart, refuseIdOfAnotherKind, requireKeyIsOperationId } from '../operations.js';
import { problemResponses } from '../problem.js';
import { readOperation, rowFailure, type ApiDeps } from '../resources.js';
import { Payout, idParam, postHeaders, readResponse, startResponses } from '../schemas.js';

const FINAL: readonly PayoutStatus[] = [
  'COMPLETED',
  'COMPLETED_ESU_PENDING',
  'COMPENSATED',
  'REFUSED',
  'COMPENSATION_FAILED',
];

export const payoutRoutes =
  ({ client, pool }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/payouts',
      {
        config: { scope: 'payouts:write' },
        schema: {
          operationId: 'startPayout',
          tags: ['payouts'],
          summary: 'Pay the bettor out from the betting account to their e-wallet',
          description:
            'Idempotency-Key must equal payoutId. A refused or failed payout is a final state (REFUSED, COMPENSATED) with its failure.',
          headers: postHeaders('pay-example-1'),
          body: PayoutRequest.meta({
            examples: [{ payoutId: 'pay-example-1', iin: '880211400124', amountTiyn: 100_000, currency: 'KZT' }],
          }),
          response: {
            ...startResponses(Payout),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        requireKeyIsOperationId(request, 'payoutId', body.payoutId);
        await refuseIdOfAnotherKind(pool, body.payoutId, 'PAYOUT');
        const started = await client.startPayout(body);
        return answerStart(request, reply, started, {
          location: `/v1/payouts/${body.payoutId}`,
          provisional: { payoutId: body.payoutId, status: 'RECEIVED', amountTiyn: body.amountTiyn, compensations: [] },
          isFinal: (s: PayoutState) => FINAL.includes(s.status),
        });
      },
    );

    app.get(
      '/v1/payouts/:payoutId',
      {
        config: { scope: 'payouts:read' },
        schema: {
          operationId: 'getPayout',
          tags: ['payouts'],
          summary: 'A payout’s current or final state',
          params: idParam('payoutId'),
          response: { ...readResponse(Payout), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        const { payoutId } = request.params;
        request.recordId = payoutId;
        return readOperation<PayoutState>(
          pool,
          request.log,
          payoutWorkflowId(payoutId),
          `payout ${payoutId}`,
          () => client.getPayout(payoutId),
          (row) => ({
            payoutId,
            status: row.status as PayoutStatus,
            amountTiyn: row.amount_tiyn,
            compensations: [],
            ...rowFailure(row),
          }),
        );
      },
    );
  };
