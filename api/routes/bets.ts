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
import { moneyRoutes } from '../money-routes.js';
import { answerStart, refuseIdOfAnotherKind, requireKeyIsOperationId } from '../operations.js';
import { readOperation, rowFailure, type ApiDeps } from '../resources.js';
import { getRoute, postRoute, START_PROBLEMS } from '../route.js';
import { Bet, Settlement, idParam, postHeaders, startResponses } from '../schemas.js';

const BET_FINAL: readonly BetStatus[] = ['ACCEPTED', 'VOIDED', 'REFUSED', 'COMPENSATION_FAILED'];
const SETTLEMENT_FINAL: readonly SettlementStatus[] = ['SETTLED', 'SETTLED_ESU_PENDING', 'REFUSED'];
const BetPath = idParam('betId', BetId);
const SettlementBody = SettlementRequest.omit({ betId: true });

export const betRoutes =
  ({ client, pool }: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    moneyRoutes<BetRequest, BetState>(app, pool, {
      resource: 'bets',
      kind: 'BET',
      idField: 'betId',
      noun: 'bet',
      post: {
        operationId: 'placeBet',
        summary: 'Place a bet: hold the stake and record the bet and its odds in ESU',
        description: 'A bet ESU refuses or does not answer within 2 minutes ends VOIDED or REFUSED with its failure.',
        body: BetRequest,
        example: {
          betId: 'bet-example-1',
          iin: '880211400124',
          stakeTiyn: 100_000,
          currency: 'KZT',
          eventId: 'kpl-17',
          outcome: 'HOME',
          odds: '2.35',
        },
      },
      get: { operationId: 'getBet', summary: 'A bet’s current or final state', params: BetPath },
      answer: Bet,
      workflowId: betWorkflowId,
      start: (body) => client.startBet(body),
      query: (id) => client.getBet(id),
      provisional: ({ betId, stakeTiyn, odds }) => ({ betId, status: 'RECEIVED', stakeTiyn, odds, compensations: [] }),
      final: BET_FINAL,
      // The operations row has no odds: the bets row keeps them.
      fromRow: async (betId, row) => ({
        betId,
        status: row.status as BetStatus,
        stakeTiyn: row.amount_tiyn,
        odds: (await readBet(pool, betId))?.odds ?? '',
        compensations: [],
      }),
    });

    const settlement = {
      path: '/v1/bets/:betId/settlement',
      resource: 'settlements',
      params: z.object({ betId: BetId.meta({ examples: ['bet-example-1'] }) }),
    } as const;
    postRoute<{ betId: string }, z.infer<typeof SettlementBody>>(
      app,
      {
        ...settlement,
        operationId: 'settleBet',
        summary: 'Settle a bet: won, lost, void or refunded',
        description:
          'Idempotency-Key must equal the settlement’s operation id: settlementId when given, else "<betId>.settle". A settlement is final: settling again with the same result answers it (Idempotent-Replayed), with another result is 409 SettlementConflict.',
        headers: postHeaders('bet-example-1.settle'),
        body: SettlementBody.meta({ examples: [{ result: 'WON' }] }),
        responses: { ...startResponses(Settlement), ...START_PROBLEMS },
      },
      async (request, reply) => {
        const { betId } = request.params;
        const body = { betId, ...request.body };
        const operationId = settlementOperationId(body);
        requireKeyIsOperationId(request, request.body.settlementId ? 'settlementId' : '"<betId>.settle"', operationId);
        await refuseIdOfAnotherKind(pool, operationId, 'SETTLEMENT');
        const started = await client.startSettlement(body);
        return answerStart(request, reply, started, {
          location: `/v1/bets/${betId}/settlement`,
          provisional: { betId, operationId, status: 'RECEIVED', result: body.result },
          isFinal: (s: SettlementState) => SETTLEMENT_FINAL.includes(s.status),
        });
      },
    );

    getRoute<{ betId: string }>(
      app,
      {
        ...settlement,
        params: BetPath,
        operationId: 'getSettlement',
        summary: 'A bet’s settlement',
        answer: Settlement,
      },
      async ({ betId }, request) => {
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
