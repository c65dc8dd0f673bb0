import { PayoutRequest, type PayoutState, type PayoutStatus } from '../../domain/bet.js';
import { payoutWorkflowId } from '../../domain/ids.js';
import { amountStates, moneyRoutesPlugin } from '../money-routes.js';
import { Payout } from '../schemas.js';

const FINAL: readonly PayoutStatus[] = [
  'COMPLETED',
  'COMPLETED_ESU_PENDING',
  'COMPENSATED',
  'REFUSED',
  'COMPENSATION_FAILED',
];

export const payoutRoutes = moneyRoutesPlugin<PayoutRequest, PayoutState>(({ client }) => ({
  resource: 'payouts',
  kind: 'PAYOUT',
  idField: 'payoutId',
  noun: 'payout',
  post: {
    operationId: 'startPayout',
    summary: 'Pay the bettor out from the betting account to their e-wallet',
    description: 'A refused or failed payout is a final state (REFUSED, COMPENSATED) with its failure.',
    body: PayoutRequest,
    example: { payoutId: 'pay-example-1', iin: '880211400124', amountTiyn: 100_000, currency: 'KZT' },
  },
  answer: Payout,
  workflowId: payoutWorkflowId,
  start: client.startPayout,
  query: client.getPayout,
  final: FINAL,
  ...amountStates<PayoutRequest, PayoutState>('payoutId'),
}));
