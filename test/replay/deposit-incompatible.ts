// A deliberately incompatible deposit (the ledger credit moved before the wallet debit), for the
// negative replay test: replaying recorded histories against it must fail with nondeterminism.
import { proxyActivities } from '@temporalio/workflow';
import type { createEsuActivities } from '../../activities/esu.js';
import type { createLedgerActivities } from '../../activities/ledger.js';
import type { DepositInput } from '../../domain/deposit.js';

const a = proxyActivities<ReturnType<typeof createEsuActivities> & ReturnType<typeof createLedgerActivities>>({
  startToCloseTimeout: '30 seconds',
});

export async function deposit(input: DepositInput): Promise<void> {
  await a.checkBettorEligibility({ iin: input.iin, purpose: 'DEPOSIT' });
  await a.creditDeposit({ depositId: input.depositId, bettorRef: input.bettorRef, amountTiyn: input.amountTiyn });
}
