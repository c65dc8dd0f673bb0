import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bettingTotals } from '../../store/betting-ledger.js';
import { bettorBalance } from '../../store/ledger.js';
import { OperationFailedError } from '../../client/index.js';
import { ErrorType } from '../../domain/errors.js';
import type { HeldSubmission } from '../../simulators/afm.js';
import { adultIin, uniqueId } from '../support/ids.js';
import { eventually, startFileStack } from '../support/stack.js';
import { simAdmin } from '../support/sim-admin.js';

/**
 * One id, one operation (the operation registry): an id that a deposit, bet, settlement or payout has used can
 * name nothing else, and an id reused after Temporal has forgotten its run meets its first use. Each case ends
 * with the money where it was: the betting balance, the wallet at Nomapay, one ESU record and one AFM record.
 */
let stack: Awaited<ReturnType<typeof startFileStack>>;
let nomapay: ReturnType<typeof simAdmin>;
let esu: ReturnType<typeof simAdmin>;

beforeAll(async () => {
  stack = await startFileStack();
  nomapay = simAdmin(stack.simulators.nomapay.url);
  esu = simAdmin(stack.simulators.esu.url);
});
afterAll(async () => stack?.stop());

const afmRecords = async (iin: string) =>
  ((await (await fetch(new URL('/__admin/submissions', stack.simulators.afm.url))).json()) as HeldSubmission[]).filter(
    (s) => s.message.record.iin === iin,
  );
const esuRecords = async (id: string) =>
  (await esu.esuOperations()).filter((r) => r.request.operationId.endsWith(`-${id}`) || r.request.operationId === id);

/** The refusal of a reused id: OperationFailedError with the registry's type, and nothing in it moved. */
async function refusal(promise: Promise<unknown>): Promise<OperationFailedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OperationFailedError);
  return err as OperationFailedError;
}

/** Every posted transfer has its two sides, and nothing is left held. */
async function expectBalancedLedger(...operationIds: string[]): Promise<void> {
  const { rows } = await stack.pool.query(
    `SELECT sum(debits_posted)::bigint AS debits, sum(credits_posted)::bigint AS credits FROM ledger_accounts`,
  );
  expect(rows[0].debits).toBe(rows[0].credits);
  const pending = await stack.pool.query(
    `SELECT id FROM ledger_pending_transfers WHERE operation_id = ANY($1) AND status = 'PENDING'`,
    [operationIds],
  );
  expect(pending.rows).toEqual([]);
}

/** Deletes a closed run as retention would, until Temporal no longer knows the workflow id (deletion is asynchronous). */
async function forget(workflowId: string): Promise<void> {
  await eventually(
    async () => {
      const known = await stack.client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => true,
          () => false,
        );
      if (!known) return true;
      await stack.client.workflowService
        .deleteWorkflowExecution({ namespace: stack.env.TEMPORAL_NAMESPACE!, workflowExecution: { workflowId } })
        .catch(() => undefined);
      return false;
    },
    60_000,
    1_000,
  );
}

async function fundedBettor(amountTiyn: number): Promise<{ iin: string; ref: string; walletStart: number }> {
  const iin = adultIin();
  const walletStart = await nomapay.walletBalance(iin);
  await stack.esuBridge.deposit({ depositId: uniqueId('dep'), iin, amountTiyn, currency: 'KZT' });
  return { iin, ref: stack.esuBridge.bettorRef(iin), walletStart };
}

describe('one id, one operation', () => {
  it('refuses a payout that reuses a deposit’s id, and never refunds the deposit’s transfer', async () => {
    const iin = adultIin();
    const ref = stack.esuBridge.bettorRef(iin);
    const id = uniqueId('x');
    const walletStart = await nomapay.walletBalance(iin);
    await stack.esuBridge.deposit({ depositId: id, iin, amountTiyn: 1_000_000, currency: 'KZT' });

    const err = await refusal(stack.esuBridge.payout({ payoutId: id, iin, amountTiyn: 100, currency: 'KZT' }));
    expect(err.type).toBe(ErrorType.IdempotencyConflict);
    expect(err.message).toContain('names a deposit');

    // The deposit's money stays where the deposit put it: debited from the wallet, held in the betting account.
    expect(await nomapay.walletBalance(iin)).toBe(walletStart - 1_000_000);
    expect(await bettorBalance(stack.pool, ref)).toBe(1_000_000);
    expect(await bettingTotals(stack.pool, ref)).toMatchObject({ receivedTiyn: 1_000_000, paidTiyn: 0 });
    await expectBalancedLedger(id);
    expect((await esuRecords(id)).map((r) => r.request.operationId)).toEqual([`dep-${id}`]);
    await eventually(async () => (await afmRecords(iin)).length === 1);
    expect((await afmRecords(iin)).map((s) => s.submissionId)).toEqual([`afm-dep-${id}`]);
    // The deposit's row in the operations list is still the deposit's; the refusal is journalled under the id.
    const { rows } = await stack.pool.query('SELECT kind, status FROM operations WHERE operation_id = $1', [id]);
    expect(rows).toEqual([{ kind: 'DEPOSIT', status: 'COMPLETED' }]);
    const journal = await stack.pool.query(
      `SELECT result FROM journal WHERE record_id = $1 AND event = 'payout.id-conflict'`,
      [id],
    );
    expect(journal.rows).toEqual([{ result: 'REFUSED' }]);
  });

  it('refuses a deposit that reuses a payout’s id', async () => {
    const { iin, ref, walletStart } = await fundedBettor(500_000);
    const id = uniqueId('x');
    await stack.esuBridge.payout({ payoutId: id, iin, amountTiyn: 200_000, currency: 'KZT' });

    const err = await refusal(stack.esuBridge.deposit({ depositId: id, iin, amountTiyn: 300_000, currency: 'KZT' }));
    expect(err.type).toBe(ErrorType.IdempotencyConflict);
    expect(err.message).toContain('names a payout');

    expect(await nomapay.walletBalance(iin)).toBe(walletStart - 500_000 + 200_000);
    expect(await bettorBalance(stack.pool, ref)).toBe(300_000);
    expect(await bettingTotals(stack.pool, ref)).toMatchObject({ receivedTiyn: 500_000, paidTiyn: 200_000 });
    await expectBalancedLedger(id);
    expect((await esuRecords(id)).map((r) => r.request.operationId)).toEqual([`pay-${id}`]);
    await eventually(async () => (await afmRecords(iin)).length === 2);
    expect((await afmRecords(iin)).filter((s) => s.submissionId.endsWith(id)).map((s) => s.submissionId)).toEqual([
      `afm-pay-${id}`,
    ]);
  });

  it('refuses a settlement whose id is a bet’s, and a settlement id reused for another bet', async () => {
    const { iin, ref } = await fundedBettor(300_000);
    const first = uniqueId('bet');
    const second = uniqueId('bet');
    const bet = { iin, stakeTiyn: 100_000, currency: 'KZT', eventId: 'kpl-9', outcome: 'HOME', odds: '2.00' };
    await stack.esuBridge.placeBet({ betId: first, ...bet });
    await stack.esuBridge.placeBet({ betId: second, ...bet });

    const asBet = await refusal(stack.esuBridge.settleBet({ betId: second, result: 'WON', settlementId: first }));
    expect(asBet.type).toBe(ErrorType.IdempotencyConflict);
    expect(asBet.message).toContain('names a bet');

    const shared = uniqueId('stl');
    await stack.esuBridge.settleBet({ betId: first, result: 'LOST', settlementId: shared });
    // Before the registry this retried forever on the bets' unique index; now it ends at once, refused.
    const reused = await refusal(stack.esuBridge.settleBet({ betId: second, result: 'WON', settlementId: shared }));
    expect(reused.type).toBe(ErrorType.IdempotencyConflict);
    expect(reused.message).toContain('another request');

    const { rows } = await stack.pool.query(
      'SELECT bet_id, status, settlement_id FROM bets WHERE bet_id = ANY($1) ORDER BY placed_at',
      [[first, second]],
    );
    expect(rows).toEqual([
      { bet_id: first, status: 'SETTLED', settlement_id: shared },
      { bet_id: second, status: 'ACCEPTED', settlement_id: null },
    ]);
    // 300 000 in, two stakes of 100 000 held and the first lost: nothing was won.
    expect(await bettorBalance(stack.pool, ref)).toBe(100_000);
    expect(await bettingTotals(stack.pool, ref)).toMatchObject({ stakedTiyn: 200_000, winningsTiyn: 0 });
    await expectBalancedLedger(first, second, shared);
    const recorded = (await esu.esuOperations()).map((r) => r.request.operationId);
    expect(
      recorded.filter((id) => id === `stl-${first}` || id === `stl-${shared}` || id.startsWith(`stl-${second}`)),
    ).toEqual([`stl-${shared}`]);
  });

  it('answers a deposit id reused after its run is gone from Temporal with the first outcome, and moves nothing', async () => {
    const iin = adultIin();
    const ref = stack.esuBridge.bettorRef(iin);
    const id = uniqueId('dep');
    const walletStart = await nomapay.walletBalance(iin);
    const request = { depositId: id, iin, amountTiyn: 250_000, currency: 'KZT' };
    const first = await stack.esuBridge.deposit(request);
    await eventually(async () => (await afmRecords(iin)).length === 1);

    // What Temporal's retention does after 30 days: the closed run is deleted.
    await forget(`Deposit:${id}`);

    const again = await stack.esuBridge.startDeposit(request);
    expect(again.joined).toBe(false); // Temporal has no run of that id any more: a new one starts...
    const replayed = await again.result(); // ...and answers the first one's outcome.
    expect(replayed).toMatchObject({
      status: 'COMPLETED',
      esuReceipt: first.esuReceipt,
      walletTransferId: `dep-${id}`,
    });

    // Gone again, and now the id comes back with another body: the registry still knows the first request.
    await forget(`Deposit:${id}`);
    const other = await refusal(stack.esuBridge.deposit({ ...request, amountTiyn: 999 }));
    expect(other.type).toBe(ErrorType.IdempotencyConflict);
    expect(other.message).toContain('another request');

    expect(await nomapay.walletBalance(iin)).toBe(walletStart - 250_000);
    expect(await bettorBalance(stack.pool, ref)).toBe(250_000);
    await expectBalancedLedger(id);
    expect((await esuRecords(id)).map((r) => r.request.operationId)).toEqual([`dep-${id}`]);
    expect(await nomapay.appliedCount(`dep-${id}`)).toBe(1);
    expect((await afmRecords(iin)).map((s) => s.submissionId)).toEqual([`afm-dep-${id}`]);
  });

  it('refuses a payout whose bettor reference is not its IIN’s, before anything moves', async () => {
    const victim = await fundedBettor(400_000);
    const attacker = adultIin();
    const attackerWallet = await nomapay.walletBalance(attacker);
    const payoutId = uniqueId('pay');
    // A caller that bypasses the client and starts the workflow itself, with someone else's bettorRef.
    const handle = await stack.client.workflow.start('payout', {
      taskQueue: stack.env.TEMPORAL_TASK_QUEUE!,
      workflowId: `Payout:${payoutId}`,
      args: [{ payoutId, iin: attacker, bettorRef: victim.ref, amountTiyn: 400_000, currency: 'KZT' }],
    });
    const err = (await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    )) as { cause?: { type?: string; message?: string } };
    expect(err?.cause?.type).toBe(ErrorType.InvalidInput);
    expect(err?.cause?.message).toContain('bettorRef');
    expect(await bettorBalance(stack.pool, victim.ref)).toBe(400_000);
    expect(await nomapay.walletBalance(attacker)).toBe(attackerWallet);
    expect(await nomapay.appliedCount(`pay-${payoutId}`)).toBe(0);
  });
});
