import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DepositRequest, type DepositState, type DepositStatus } from '../../domain/deposit.js';
import { depositWorkflowId } from '../../domain/ids.js';
import { answerStart, refuseIdOfAnotherKind, requireKeyIsOperationId } from '../operations.js';
import { problemResponses } from '../problem.js';
import { readOperation, rowFailure, type ApiDeps } from '../resources.js';
import { Deposit, idParam, postHeaders, readResponse, startResponses } from '../schemas.js';

const FINAL: readonly DepositStatus[] = ['COMPLETED', 'COMPENSATED', 'REFUSED', 'COMPENSATION_FAILED'];
const isFinal = (s: DepositState) => FINAL.includes(s.status);

export const depositRoutes =
  ({ client, pool }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/deposits',
      {
        config: { scope: 'deposits:write' },
        schema: {
          operationId: 'startDeposit',
          tags: ['deposits'],
          summary: 'Deposit from the bettor’s e-wallet into the betting account',
          description:
            'Idempotency-Key must equal depositId. A refused deposit is a final state (REFUSED, COMPENSATED) with its failure, not an error.',
          headers: postHeaders('dep-example-1'),
          body: DepositRequest.meta({
            examples: [{ depositId: 'dep-example-1', iin: '880211400124', amountTiyn: 250_000, currency: 'KZT' }],
          }),
          response: {
            ...startResponses(Deposit),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        requireKeyIsOperationId(request, 'depositId', body.depositId);
        await refuseIdOfAnotherKind(pool, body.depositId, 'DEPOSIT');
        const started = await client.startDeposit(body);
        return answerStart(request, reply, started, {
          location: `/v1/deposits/${body.depositId}`,
          provisional: {
            depositId: body.depositId,
            status: 'RECEIVED',
            amountTiyn: body.amountTiyn,
            compensations: [],
          },
          isFinal,
        });
      },
    );

    app.get(
      '/v1/deposits/:depositId',
      {
        config: { scope: 'deposits:read' },
        schema: {
          operationId: 'getDeposit',
          tags: ['deposits'],
          summary: 'A deposit’s current or final state',
          params: idParam('depositId'),
          response: { ...readResponse(Deposit), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        const { depositId } = request.params;
        request.recordId = depositId;
        return readOperation<DepositState>(
          pool,
          request.log,
          depositWorkflowId(depositId),
          `deposit ${depositId}`,
          () => client.getDeposit(depositId),
          (row) => ({
            depositId,
            status: row.status as DepositStatus,
            amountTiyn: row.amount_tiyn,
            compensations: [],
            ...rowFailure(row),
          }),
        );
      },
    );
  };
