import { DepositRequest, type DepositState, type DepositStatus } from '../../domain/deposit.js';
import { depositWorkflowId } from '../../domain/ids.js';
import { amountStates, moneyRoutesPlugin } from '../money-routes.js';
import { Deposit } from '../schemas.js';

const FINAL: readonly DepositStatus[] = ['COMPLETED', 'COMPENSATED', 'REFUSED', 'COMPENSATION_FAILED'];

export const depositRoutes = moneyRoutesPlugin<DepositRequest, DepositState>(({ client }) => ({
  resource: 'deposits',
  kind: 'DEPOSIT',
  idField: 'depositId',
  noun: 'deposit',
  post: {
    operationId: 'startDeposit',
    summary: 'Deposit from the bettor’s e-wallet into the betting account',
    description: 'A refused deposit is a final state (REFUSED, COMPENSATED) with its failure, not an error.',
    body: DepositRequest,
    example: { depositId: 'dep-example-1', iin: '880211400124', amountTiyn: 250_000, currency: 'KZT' },
  },
  answer: Deposit,
  workflowId: depositWorkflowId,
  start: client.startDeposit,
  query: client.getDeposit,
  final: FINAL,
  ...amountStates<DepositRequest, DepositState>('depositId'),
}));
