import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readBet } from '../../client/index.js';
import {
  BetId,
  BetRequest,
  SettlementRequest,
  settlementOperationId,
  type BetState,
  type BetStatus,
  type SettlementState,
  type SettlementStatus,
} from '../../domain/bet.js';
import { betWorkflowId, settlementWorkflowId } from '../../domain/ids.js';
import { answerStart, refuseIdOfAnotherKind, requireKeyIsOperationId } from '../operations.js';
import { problemResponses } from '../problem.js';
import { readOperation, rowFailure, type ApiDeps } from '../resources.js';
import { Bet, Settlement, idParam, postHeaders, readResponse, startResponses } from '../schemas.js';

const BET_FINAL: readonly BetStatus[] = ['ACCEPTED', 'VOIDED', 'REFUSED', 'COMPENSATION_FAILED'];
const SETTLEMENT_FINAL: readonly SettlementStatus[] = ['SETTLED', 'SETTLED_ESU_PENDING', 'REFUSED'];
const BetPath = idParam('betId', BetId);
const SettlementBody = SettlementRequest.omit({ betId: true });

export const betRoutes =
  ({ client, pool }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/bets',
      {
        config: { scope: 'bets:write' },
        schema: {
          operationId: 'placeBet',
          tags: ['bets'],
          summary: 'Place a bet: hold the stake and record the bet and its odds in ESU',
          description:
            'Idempotency-Key must equal betId. A bet ESU refuses or does not answer within 2 minutes ends VOIDED or REFUSED with its failure.',
          headers: postHeaders('bet-example-1'),
          body: BetRequest.meta({
            examples: [
              {
                betId: 'bet-example-1',
                iin: '880211400124',
                stakeTiyn: 100_000,
                currency: 'KZT',
                eventId: 'kpl-17',
                outcome: 'HOME',
                odds: '2.35',
              },
            ],
          }),
          response: { ...startResponses(Bet), ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        requireKeyIsOperationId(request, 'betId', body.betId);
        await refuseIdOfAnotherKind(pool, body.betId, 'BET');
        const started = await client.startBet(body);
        return answerStart(request, reply, started, {
          location: `/v1/bets/${body.betId}`,
          provisional: {
            betId: body.betId,
            status: 'RECEIVED',
            stakeTiyn: body.stakeTiyn,
            odds: body.odds,
            compensations: [],
          },
          isFinal: (s: BetState) => BET_FINAL.includes(s.status),
        });
      },
    );

    app.get(
      '/v1/bets/:betId',
      {
        config: { scope: 'bets:read' },
        schema: {
          operationId: 'getBet',
          tags: ['bets'],
          summary: 'A bet’s current or final state',
          params: BetPath,
          response: { ...readResponse(Bet), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        const { betId } = request.params;
        request.recordId = betId;
        const fallback = await readBet(pool, betId);
        return readOperation<BetState>(
          pool,
          request.log,
          betWorkflowId(betId),
          `bet ${betId}`,
          () => client.getBet(betId),
          (row) => ({
            betId,
            status: row.status as BetStatus,
            stakeTiyn: row.amount_tiyn,
            odds: fallback?.odds ?? '',
            compensations: [],
            ...rowFailure(row),
          }),
        );
      },
    );

    app.post(
      '/v1/bets/:betId/settlement',
      {
        config: { scope: 'settlements:write' },
        schema: {
          operationId: 'settleBet',
          tags: ['settlements'],
          summary: 'Settle a bet: won, lost, void or refunded',
          description:
            'Idempotency-Key must equal the settlement’s operation id: settlementId when given, else "<betId>.settle". A settlement is final: settling again with the same result answers it (Idempotent-Replayed), with another result is 409 SettlementConflict.',
          headers: postHeaders('bet-example-1.settle'),
          params: z.object({ betId: BetId.meta({ examples: ['bet-example-1'] }) }),
          body: SettlementBody.meta({ examples: [{ result: 'WON' }] }),
          response: {
            ...startResponses(Settlement),
            ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      async (request, reply) => {
        const { betId } = request.params;
        const settlement = { betId, ...request.body };
        const operationId = settlementOperationId(settlement);
        requireKeyIsOperationId(request, request.body.settlementId ? 'settlementId' : '"<betId>.settle"', operationId);
        await refuseIdOfAnotherKind(pool, operationId, 'SETTLEMENT');
        const started = await client.startSettlement(settlement);
        return answerStart(request, reply, started, {
          location: `/v1/bets/${betId}/settlement`,
          provisional: { betId, operationId, status: 'RECEIVED', result: settlement.result },
          isFinal: (s: SettlementState) => SETTLEMENT_FINAL.includes(s.status),
        });
      },
    );

    app.get(
      '/v1/bets/:betId/settlement',
      {
        config: { scope: 'settlements:read' },
        schema: {
          operationId: 'getSettlement',
          tags: ['settlements'],
          summary: 'A bet’s settlement',
          params: BetPath,
          response: { ...readResponse(Settlement), ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
        },
      },
      async (request) => {
        const { betId } = request.params;
        request.recordId = betId;
        const bet = await readBet(pool, betId);
        return readOperation<SettlementState>(
          pool,
          request.log,
          settlementWorkflowId(betId),
          `the settlement of bet ${betId}`,
          () => client.getSettlement(betId),
          // The bets row keeps the result and winnings once the bet is settled.
          bet?.result
            ? (row) => ({
                betId,
                operationId: row.operation_id,
                status: row.status as SettlementStatus,
                result: bet.result!,
                ...(bet.winningsTiyn !== null ? { winningsTiyn: bet.winningsTiyn } : {}),
                ...rowFailure(row),
              })
            : undefined,
        );
      },
    );
  };
