import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { Accounts, bettorBalance, bettorTotals } from '../../store/ledger.js';
import { createJournalActivities } from '../../activities/journal.js';
import { ErrorType } from '../../domain/errors.js';
import { uniqueId } from '../support/ids.js';
import { pool, ledger, fundedBettor, newBettorRef, useLedger } from '../support/ledger.js';

useLedger(20);

describe('ledger on PostgreSQL', () => {
  it('posts a credit once however often it is replayed, concurrently', async () => {
    const bettorRef = newBettorRef();
    const depositId = uniqueId('dep');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => ledger.creditDeposit({ depositId, bettorRef, amountTiyn: 7_000 })),
    );
    expect(results.filter((r) => r.outcome === 'POSTED')).toHaveLength(1);
    expect(await bettorBalance(pool, bettorRef)).toBe(7_000);
    expect(await bettorTotals(pool, bettorRef)).toEqual({ receivedTiyn: 7_000, paidTiyn: 0 });
  });

  it('reverses once, restoring balance and running totals', async () => {
    const bettorRef = newBettorRef();
    const depositId = uniqueId('dep');
    await ledger.creditDeposit({ depositId, bettorRef, amountTiyn: 7_000 });
    expect(await ledger.reverseDepositCredit({ depositId, bettorRef, amountTiyn: 7_000 })).toBe('REVERSED');
    expect(await ledger.reverseDepositCredit({ depositId, bettorRef, amountTiyn: 7_000 })).toBe('REVERSED');
    expect(await bettorBalance(pool, bettorRef)).toBe(0);
    expect(await bettorTotals(pool, bettorRef)).toEqual({ receivedTiyn: 0, paidTiyn: 0 });
    const { rows } = await pool.query('SELECT leg FROM ledger_transfers WHERE operation_id = $1 ORDER BY created_at', [
      depositId,
    ]);
    expect(rows.map((r) => r.leg)).toEqual(['credit', 'credit-reversal']);
  });

  it('refuses a posting that arrives after its reversal (tombstone)', async () => {
    const bettorRef = newBettorRef();
    const depositId = uniqueId('dep');
    expect(await ledger.reverseDepositCredit({ depositId, bettorRef, amountTiyn: 7_000 })).toBe('NOTHING_TO_UNDO');
    const err = await ledger.creditDeposit({ depositId, bettorRef, amountTiyn: 7_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.type).toBe(ErrorType.LedgerRejected);
    expect(await bettorBalance(pool, bettorRef)).toBe(0);
  });

  it('never lets a betting account go negative', async () => {
    const bettorRef = await fundedBettor(1_000);
    await expect(
      pool.query('UPDATE ledger_accounts SET debits_posted = debits_posted + 2000 WHERE id = $1', [
        Accounts.bettor(bettorRef),
      ]),
    ).rejects.toThrow(/balance_never_negative/);
  });

  it('keeps the books balanced: every transfer debits one account and credits another by the same amount', async () => {
    const { rows } = await pool.query('SELECT sum(debits_posted) AS d, sum(credits_posted) AS c FROM ledger_accounts');
    expect(rows[0].d).toBe(rows[0].c);
  });

  it('journals a step once even when the local activity runs again', async () => {
    const { recordStep } = createJournalActivities({ pool });
    const operationId = uniqueId('dep');
    const step = {
      operationId,
      kind: 'DEPOSIT',
      workflowId: `Deposit:${operationId}`,
      bettorRef: newBettorRef(),
      amountTiyn: 100,
      status: 'CHECKING_BETTOR',
      event: 'deposit.received',
      result: 'OK' as const,
      startedAtMs: Date.now(),
    };
    await recordStep(step);
    await recordStep(step);
    const { rows } = await pool.query(
      'SELECT event, actor, result, started_at <= ended_at AS ordered FROM journal WHERE record_id = $1',
      [operationId],
    );
    expect(rows).toEqual([{ event: 'deposit.received', actor: 'system', result: 'OK', ordered: true }]);
  });
});
