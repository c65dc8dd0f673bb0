import type { Client } from '@temporalio/client';
import {
  BetRequest,
  PayoutRequest,
  SettlementRequest,
  type BetState,
  type PayoutState,
  type SettlementState,
} from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { betWorkflowId, payoutWorkflowId, settlementWorkflowId } from '../domain/ids.js';
import { OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import { getBetStatusQuery, placeBet } from '../workflows/bet.js';
import { getPayoutStatusQuery, payout } from '../workflows/payout.js';
import { getSettlementStatusQuery, settleBet } from '../workflows/settlement.js';
import { requestDigest } from './bettor-ref.js';
import { OperationFailedError } from './errors.js';
import { moneySaga, startOperation, validateRequest, type OperationHandle } from './operations.js';

export { readBet } from '../store/bets.js';
export { bettingTotals } from '../store/betting-ledger.js';
export { bettorBalance } from '../store/ledger.js';

/**
 * Bets, settlements and payouts for bookmaker services. As with deposits, every start validates first (an
 * InvalidRequestError names the field and nothing starts), is idempotent by the caller's id and tells a replay
 * (joins the run) from a conflict.
 */
export function createBettingClient({
  client,
  taskQueue,
  bettorRefKey,
  now = () => new Date(),
}: {
  client: Client;
  taskQueue: string;
  bettorRefKey: string;
  now?: () => Date;
}) {
  const money = { client, taskQueue, bettorRefKey, now };
  const bets = moneySaga(money, {
    name: 'bet',
    kind: 'BET',
    request: BetRequest,
    workflowId: betWorkflowId,
    idField: 'betId',
    amountField: 'stakeTiyn',
    adultsOnly: true,
    workflow: placeBet,
    statusQuery: getBetStatusQuery,
  });
  const payouts = moneySaga(money, {
    name: 'payout',
    kind: 'PAYOUT',
    request: PayoutRequest,
    workflowId: payoutWorkflowId,
    idField: 'payoutId',
    amountField: 'amountTiyn',
    adultsOnly: false,
    workflow: payout,
    statusQuery: getPayoutStatusQuery,
  });

  return {
    /** Places a bet (or joins the one already placed with this `betId`). Resolves once started; `result()` says accepted or why not. */
    startBet: bets.start,

    /** Places a bet and waits for ESU's answer: the ACCEPTED state, or OperationFailedError with the reason. */
    placeBet: bets.run,

    getBet: bets.get,

    /**
     * Settles a bet (or joins its settlement). A settlement that failed moved nothing, so it may be started
     * again; a completed one is final: asking again with the same result joins it, with another result is a
     * SettlementConflict (OperationFailedError) at once.
     */
    async startSettlement(request: unknown): Promise<OperationHandle<SettlementState>> {
      const valid = validateRequest('settlement', SettlementRequest, request);
      const workflowId = settlementWorkflowId(valid.betId);
      const digest = requestDigest(valid, bettorRefKey);
      return startOperation(
        client,
        settleBet,
        {
          taskQueue,
          workflowId,
          args: [valid],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          // Bettor and amount are upserted by the workflow once it has loaded the bet.
          typedSearchAttributes: [
            { key: OperationKindKey, value: 'SETTLEMENT' },
            { key: OperationStatusKey, value: 'RECEIVED' },
          ],
          memo: { requestDigest: digest, result: valid.result },
        },
        getSettlementStatusQuery,
        (memo) =>
          memo?.result === valid.result
            ? 'JOIN'
            : new OperationFailedError(
                workflowId,
                ErrorType.SettlementConflict,
                `bet ${valid.betId} is being or was settled ${String(memo?.result)}; a settlement is final`,
                undefined,
              ),
      );
    },

    async settleBet(request: unknown): Promise<SettlementState> {
      return (await this.startSettlement(request)).result();
    },

    async getSettlement(betId: string): Promise<SettlementState> {
      return client.workflow.getHandle(settlementWorkflowId(betId)).query(getSettlementStatusQuery);
    },

    /** Pays out from the betting account to the bettor's e-wallet (or joins the payout with this `payoutId`). */
    startPayout: payouts.start,

    payout: payouts.run,

    getPayout: payouts.get,
  };
}
