import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../domain/errors.js';
import { stepKey } from '../domain/ids.js';
import type { Pool } from '../db/pool.js';
import type { StepRecord } from '../store/journal.js';
import {
  Accounts,
  CHECK_VIOLATION,
  postTransfer,
  reverseTransfer,
  type Posting,
  type PostingResult,
} from '../store/ledger.js';

export type { Posting, PostingResult } from '../store/ledger.js';

export function createLedgerActivities({ pool }: { pool: Pool }) {
  /** Posts one double-entry transfer exactly once (store/ledger.ts); a negative balance is the ledger's refusal. */
  async function post(posting: Posting, steps?: StepRecord[]): Promise<PostingResult> {
    try {
      return await postTransfer(pool, posting, steps);
    } catch (err) {
      if ((err as { code?: string }).code === CHECK_VIOLATION) {
        throw ApplicationFailure.nonRetryable(
          `ledger refused ${stepKey(posting.operationId, posting.leg)}: balance would go negative`,
          ErrorType.LedgerRejected,
        );
      }
      throw err;
    }
  }

  return {
    /** Deposit: the wallet's money now sits in the bettor's betting account; counted as received from the bettor. */
    async creditDeposit({
      depositId,
      bettorRef,
      amountTiyn,
      steps,
    }: {
      depositId: string;
      bettorRef: string;
      amountTiyn: number;
      steps?: StepRecord[];
    }): Promise<PostingResult> {
      return post(
        {
          operationId: depositId,
          leg: 'credit',
          debitAccountId: Accounts.walletClearing,
          creditAccountId: Accounts.bettor(bettorRef),
          amountTiyn,
          totals: { bettorRef, receivedTiyn: amountTiyn },
        },
        steps,
      );
    },

    async reverseDepositCredit({
      depositId,
      bettorRef,
      amountTiyn,
    }: {
      depositId: string;
      bettorRef: string;
      amountTiyn: number;
    }) {
      return reverseTransfer(pool, {
        operationId: depositId,
        leg: 'credit',
        totals: { bettorRef, receivedTiyn: amountTiyn },
      });
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
