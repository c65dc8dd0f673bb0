/**
 * What the money sagas' workflow tests (bet, settlement, payout, deposit) share: the inputs they start with, one
 * `run…` per saga on a worker of fakes (test/workflows/betting-fakes.ts), the failures those fakes raise, and the
 * refusals every saga makes alike. The file using them calls `useTimeSkipping()` (test/support/workflows.ts).
 */
import { expect } from 'vitest';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { placeBet } from '../../workflows/bet.js';
import { settleBet } from '../../workflows/settlement.js';
import { payout } from '../../workflows/payout.js';
import { deposit } from '../../workflows/deposit.js';
import type {
  BetInput,
  BetRequest,
  BetState,
  PayoutInput,
  PayoutRequest,
  PayoutState,
  SettlementInput,
  SettlementState,
} from '../../domain/bet.js';
import type { DepositInput, DepositState } from '../../domain/deposit.js';
import { ErrorType } from '../../domain/errors.js';
import {
  BETTOR_REF,
  BET_SELECTION,
  failureOf,
  moneyCalls,
  NOW,
  rejection,
  runWorkflow,
} from '../workflows/betting-fakes.js';
import type { Activities } from '../workflows/betting-fakes.js';
import { adultIin, iinBornIn, uniqueId } from './ids.js';
import { env, workflowBundle } from './workflows.js';

/** A bet as the bookmaker sends it: 100 KZT on `BET_SELECTION`, the bettor's reference not derived yet. */
export const betRequest = (overrides: Partial<BetRequest> = {}): BetRequest => ({
  betId: uniqueId('bet'),
  iin: adultIin(),
  stakeTiyn: 10_000,
  currency: 'KZT',
  ...BET_SELECTION,
  ...overrides,
});

/** A payout as the bookmaker sends it: 2 500 KZT to an adult. */
export const payoutRequest = (overrides: Partial<PayoutRequest> = {}): PayoutRequest => ({
  payoutId: uniqueId('po'),
  iin: adultIin(),
  amountTiyn: 250_000,
  currency: 'KZT',
  ...overrides,
});

/** What the client hands a saga: the request with the bettor's reference (`BETTOR_REF`). */
const withRef = <T>(request: T) => ({ ...request, bettorRef: BETTOR_REF });
export const betInput = (overrides: Partial<BetInput> = {}): BetInput => withRef(betRequest(overrides));
export const payoutInput = (overrides: Partial<PayoutInput> = {}): PayoutInput => withRef(payoutRequest(overrides));
/** A deposit of 5 000 KZT from an adult. */
export const depositInput = (overrides: Partial<DepositInput> = {}): DepositInput =>
  withRef({ depositId: uniqueId('dep'), iin: adultIin(), amountTiyn: 500_000, currency: 'KZT', ...overrides });

type Run<Input, State> = (activities: Partial<Activities>, args: Input) => ReturnType<typeof runWorkflow<State>>;

/** Runs one saga (`runWorkflow`) under the workflow id the client gives it. */
function sagaRunner<Input, State>(
  workflow: (input: Input) => Promise<State>,
  workflowId: (args: Input) => string,
): Run<Input, State> {
  return (activities, args) =>
    runWorkflow<State>(
      env,
      workflowBundle,
      activities,
      (taskQueue) =>
        env.client.workflow.start(workflow as (input: Input) => Promise<unknown>, {
          taskQueue,
          workflowId: workflowId(args),
          args: [args],
        }) as Promise<WorkflowHandle>,
    );
}

export const runBet = sagaRunner<BetInput, BetState>(placeBet, (args) => `Bet:${args.betId}`);
export const runSettlement = sagaRunner<SettlementInput, SettlementState>(
  settleBet,
  (args) => `Settlement:${args.betId}`,
);
export const runPayout = sagaRunner<PayoutInput, PayoutState>(payout, (args) => `Payout:${args.payoutId}`);
export const runDeposit = sagaRunner<DepositInput, DepositState & { afmSubmissionId?: string }>(
  deposit,
  (args) => `Deposit:${args.depositId}`,
);

/** A fake a counterpart always refuses (`rejection`): non-retryable, its code in the details. */
export const refusing = (type: ErrorType, code: string) => async (): Promise<never> => {
  throw rejection(type, code);
};

/** A fake whose counterpart never answers: a retryable failure, tried again after `nextRetryDelay`. */
export const unreachable = (message: string, nextRetryDelay: Duration) => async (): Promise<never> => {
  throw ApplicationFailure.create({ message, nextRetryDelay });
};

/** A fake that fails its first `failures` calls with `fault()`, then answers as `then`; its attempts are counted. */
export function failingFirst<Args extends unknown[], Result>(
  failures: number,
  fault: () => Error,
  then: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  let attempts = 0;
  return async (...args) => {
    attempts += 1;
    if (attempts <= failures) throw fault();
    return then(...args);
  };
}

/** Nomapay's transfer with one transient fault (a 503) before it moves the money. */
export const walletFlakyOnce = (): Activities['transferWallet'] =>
  failingFirst(
    1,
    () => new Error('nomapay POST /v1/transfers → 503'),
    async (req) => ({
      ...req,
      status: 'COMPLETED',
      completedAt: NOW,
    }),
  );

/** ESU's register answers that the bettor may not bet (self-excluded, barred…). */
export const restricted =
  (reason: NonNullable<Awaited<ReturnType<Activities['checkBettorEligibility']>>['reason']>) =>
  async (): ReturnType<Activities['checkBettorEligibility']> => ({ eligible: false, reason, checkedAt: NOW });

/**
 * Runs a saga for a bettor born 12 years before the test server's clock (time skipping has moved it on by years in
 * the file): refused on its own, before any counterpart or the ledger is asked, the IIN not in the message.
 */
export async function expectUnder21Refused<Input extends { iin: string }, State extends { status: string }>(
  run: Run<Input, State>,
  input: (overrides: Partial<Input>) => Input,
  activities: Partial<Activities> & { calls: string[] },
  refused: string,
): Promise<void> {
  const under21 = iinBornIn(new Date(await env.currentTimeMs()).getUTCFullYear() - 12);
  const { error, finalStatus } = await run(activities, input({ iin: under21 } as Partial<Input>));
  const failure = failureOf(error);
  expect(failure.type).toBe(ErrorType.BettorUnderage);
  expect(failure.message).not.toContain(under21);
  expect(moneyCalls(activities)).toEqual([]);
  expect(finalStatus.status).toBe(refused);
}

/** Runs a saga on invalid input: InvalidInput naming `field`, before any activity. */
export async function expectInvalidInputRefused<Input>(
  run: Run<Input, unknown>,
  args: Input,
  activities: { calls: string[] },
  field: string,
): Promise<void> {
  const { error } = await run(activities as Partial<Activities>, args);
  const failure = failureOf(error);
  expect(failure.type).toBe(ErrorType.InvalidInput);
  expect(failure.message).toContain(field);
  expect(activities.calls).toEqual([]);
}
