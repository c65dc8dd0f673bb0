import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  BetRequest,
  PayoutRequest,
  SettlementRequest,
  type BetInput,
  type BetState,
  type PayoutInput,
  type PayoutState,
  type SettlementState,
} from '../domain/bet.js';
import { ErrorType } from '../domain/errors.js';
import { betWorkflowId, payoutWorkflowId, settlementWorkflowId } from '../domain/ids.js';
import { AmountTiynKey, BettorRefKey, OperationKindKey, OperationStatusKey } from '../domain/search-attributes.js';
import { getBetStatusQuery, placeBet } from '../workflows/bet.js';
import { getPayoutStatusQuery, payout } from '../workflows/payout.js';
import { getSettlementStatusQuery, settleBet } from '../workflows/settlement.js';
import { bettorRef, requestDigest } from './bettor-ref.js';
import { OperationFailedError } from './errors.js';
import { joinOperation, refuseUnderage, validateRequest, wrapOperation, type OperationHandle } from './operations.js';

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
  const startAttributes = (kind: string, ref: string, amountTiyn: number) => [
    { key: OperationKindKey, value: kind },
    { key: OperationStatusKey, value: 'RECEIVED' },
    { key: BettorRefKey, value: ref },
    { key: AmountTiynKey, value: amountTiyn },
  ];

  return {
    /** Places a bet (or joins the one already placed with this `betId`). Resolves once started; `result()` says accepted or why not. */
    async startBet(request: unknown): Promise<OperationHandle<BetState>> {
      const valid = validateRequest('bet', BetRequest, request);
      refuseUnderage('bet', valid.iin, now());
      const workflowId = betWorkflowId(valid.betId);
      const ref = bettorRef(valid.iin, bettorRefKey);
      const digest = requestDigest(valid, bettorRefKey);
      const input: BetInput = { ...valid, bettorRef: ref };
      try {
        const handle = await client.workflow.start(placeBet, {
          taskQueue,
          workflowId,
          args: [input],
          // Money: a bet id is used once, ever. Placing it again joins or conflicts.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: startAttributes('BET', ref, valid.stakeTiyn),
          memo: { requestDigest: digest },
        });
        return wrapOperation(handle, false, getBetStatusQuery);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return joinOperation(client, workflowId, digest, getBetStatusQuery);
        throw err;
      }
    },

    /** Places a bet and waits for ESU's answer: the ACCEPTED state, or OperationFailedError with the reason. */
    async placeBet(request: unknown): Promise<BetState> {
      return (await this.startBet(request)).result();
    },

    async getBet(betId: string): Promise<BetState> {
      return client.workflow.getHandle(betWorkflowId(betId)).query(getBetStatusQuery);
    },

    /**
     * Settles a bet (or joins its settlement). A settlement that failed moved nothing, so it may be started
     * again; a completed one is final: asking again with the same result joins it, with another result is a
     * SettlementConflict (OperationFailedError) at once.
     */
    async startSettlement(request: unknown): Promise<OperationHandle<SettlementState>> {
      const valid = validateRequest('settlement', SettlementRequest, request);
      const workflowId = settlementWorkflowId(valid.betId);
      const digest = requestDigest(valid, bettorRefKey);
      try {
        const handle = await client.workflow.start(settleBet, {
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
        });
        return wrapOperation(handle, false, getSettlementStatusQuery);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        return joinOperation(client, workflowId, digest, getSettlementStatusQuery, (memo) =>
          memo?.result === valid.result
            ? 'JOIN'
            : new OperationFailedError(
                workflowId,
                ErrorType.SettlementConflict,
                `bet ${valid.betId} is being or was settled ${String(memo?.result)}; a settlement is final`,
                undefined,
              ),
        );
      }
    },

    async settleBet(request: unknown): Promise<SettlementState> {
      return (await this.startSettlement(request)).result();
    },

    async getSettlement(betId: string): Promise<SettlementState> {
      return client.workflow.getHandle(settlementWorkflowId(betId)).query(getSettlementStatusQuery);
    },

    /** Pays out from the betting account to the bettor's e-wallet (or joins the payout with this `payoutId`). */
    async startPayout(request: unknown): Promise<OperationHandle<PayoutState>> {
      const valid = validateRequest('payout', PayoutRequest, request);
      const workflowId = payoutWorkflowId(valid.payoutId);
      const ref = bettorRef(valid.iin, bettorRefKey);
      const digest = requestDigest(valid, bettorRefKey);
      const input: PayoutInput = { ...valid, bettorRef: ref };
      try {
        const handle = await client.workflow.start(payout, {
          taskQueue,
          workflowId,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: startAttributes('PAYOUT', ref, valid.amountTiyn),
          memo: { requestDigest: digest },
        });
        return wrapOperation(handle, false, getPayoutStatusQuery);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return joinOperation(client, workflowId, digest, getPayoutStatusQuery);
        throw err;
      }
    },

    async payout(request: unknown): Promise<PayoutState> {
      return (await this.startPayout(request)).result();
    },

    async getPayout(payoutId: string): Promise<PayoutState> {
      return client.workflow.getHandle(payoutWorkflowId(payoutId)).query(getPayoutStatusQuery);
    },
  };
}
